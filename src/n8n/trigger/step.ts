/**
 * The trigger's transitions, pure: what a poll makes of the state and of what it saw. No I/O, no
 * clock: the poll (`./workflowResult`, `./sessions`) observes, asks `step`, and acts.
 *
 * A poll of Workflow Result walks the runs the state remembers (`remembered`: the finished runs
 * whose items n8n did not take yet, then the run going), folding what it saw of each into an
 * `Outcome` with `step`; it starts the next run when nothing is `blocked` (`started`), and folds
 * that run in too when it ends within the poll. The outcome holds two states: `state`, kept
 * whatever n8n does with the items, and `taken`, kept once n8n takes them. docs/trigger.md has
 * the table.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { statusName } from '../../client';
import type { BrowserSession, RunResults } from '../../client';
import { runEndedMessage } from '../errors';
import { runItem, sessionItem } from '../items';
import type { EmitMode, SessionEvent } from './config';
import { newElements, resultElements, stableHash } from './results';
import { withoutKeys, type RunRef, type TriggerState } from './state';

/** At most this many finished runs wait for n8n to take their items (polls dropped in a row). */
export const MAX_SETTLING = 10;

/** What a poll saw of a run it remembers. */
export type RunSeen =
	| { kind: 'over'; run: RunResults }
	/** Still going when the poll had to stop waiting; `status` as last read. */
	| { kind: 'going'; status: string }
	/** Not read: `gone` when Witrium itself says it does not know the run; `cause` is what the read threw. */
	| { kind: 'unreadable'; gone: boolean; reason: string; cause?: unknown }
	/** The run belongs to another Witrium workflow (the Workflow ID was changed since). */
	| { kind: 'elsewhere' };

export interface Failure {
	message: string;
	description: string;
	/** The error to fail the poll with as it is (a read error while the run is kept). */
	cause?: unknown;
}

export interface Outcome {
	/** Kept whatever n8n does with the items. */
	state: TriggerState;
	/** Kept once n8n takes the items. */
	taken: TriggerState;
	items: INodeExecutionData[];
	/** The poll fails with this (when it has no items; else it is logged). */
	failure?: Failure;
	/** Runs to cancel. */
	cancel: string[];
	/** A remembered run is still going or could not be read: no run may start. */
	blocked: boolean;
}

export interface StepConfig {
	workflowId: string;
	emit: EmitMode;
	dedupeField: string | undefined;
	failOnRunFailure: boolean;
	giveUpAfterMs: number;
	rememberItems: number;
}

/** The outcome of a poll that has seen nothing yet. */
export function begin(state: TriggerState): Outcome {
	const own = withoutKeys(state, ['knownSessions']);
	return { state: own, taken: own, items: [], cancel: [], blocked: false };
}

/** The runs a poll looks at, in order: finished runs not taken yet, then the run going. */
export function remembered(state: TriggerState): RunRef[] {
	return [...(state.settling ?? []), ...(state.pendingRun ? [state.pendingRun] : [])];
}

/** A run was started: it is the run going, in both states. */
export function started(outcome: Outcome, run: RunRef): Outcome {
	return { ...outcome, state: { ...outcome.state, pendingRun: run }, taken: { ...outcome.taken, pendingRun: run } };
}

/** What a poll makes of one remembered run (`ref`), seen as `seen`, at `now` (ms). */
export function step(outcome: Outcome, ref: RunRef, seen: RunSeen, config: StepConfig, now: number): Outcome {
	const pending = outcome.state.pendingRun?.runId === ref.runId;
	const keep = (): Outcome => ({ ...outcome, blocked: outcome.blocked || pending });
	// One failure per poll; what comes after it waits for the next poll.
	if (outcome.failure) return keep();
	const forget = (extra: Partial<Outcome> = {}): Outcome => ({
		...outcome,
		state: without(outcome.state, ref),
		taken: without(outcome.taken, ref),
		...extra,
	});
	const age = now - Date.parse(ref.startedAt);
	const givenUp = config.giveUpAfterMs > 0 && age > config.giveUpAfterMs;
	const minutes = Math.round(age / 60_000);

	switch (seen.kind) {
		case 'elsewhere':
			return forget();
		case 'unreadable':
			if (seen.gone) {
				return forget({
					blocked: true,
					failure: {
						message: `Run ${ref.runId}, started by an earlier poll, was not found in Witrium`,
						description:
							'Witrium no longer knows this run, or the credential now points at another account. The trigger forgot it: the next poll starts a fresh run.',
					},
				});
			}
			if (givenUp) {
				return forget({
					blocked: true,
					cancel: [...outcome.cancel, ref.runId],
					failure: {
						message: `Run ${ref.runId} of workflow ${config.workflowId} could not be read for ${minutes} min (${seen.reason})`,
						description:
							'The trigger gave up on it (Give Up After) and asked Witrium to cancel it; the next poll starts a fresh run. Raise "Give Up After" if the workflow needs longer.',
					},
				});
			}
			return {
				...keep(),
				blocked: true,
				failure: {
					message: `Could not read run ${ref.runId}, started by an earlier poll: ${seen.reason}`,
					description: 'The trigger keeps the run and reads it again with the next poll; it starts no other run meanwhile.',
					cause: seen.cause,
				},
			};
		case 'going':
			if (!givenUp) return { ...keep(), blocked: true };
			return forget({
				blocked: true,
				cancel: [...outcome.cancel, ref.runId],
				failure: {
					message: `Run ${ref.runId} of workflow ${config.workflowId} was still ${statusName(seen.status)} after ${minutes} min`,
					description:
						'The trigger asked Witrium to cancel it, and the next poll starts a fresh run. Raise "Give Up After" if the workflow needs longer.',
				},
			});
		case 'over':
			return settle(outcome, ref, seen.run, config, pending);
	}
}

function settle(outcome: Outcome, ref: RunRef, run: RunResults, config: StepConfig, pending: boolean): Outcome {
	if (failsThePoll(run, config)) {
		// A failure waits for a poll with no items to emit, so the items are not lost with it.
		if (outcome.items.length > 0) return { ...outcome, blocked: outcome.blocked || pending };
		return { ...outcome, state: without(outcome.state, ref), taken: without(outcome.taken, ref), failure: runFailure(run) };
	}
	const { items, memory } = runResultItems(run, config, outcome.taken);
	const taken = { ...without(outcome.taken, ref), ...memory };
	if (items.length === 0) {
		// The memory moves on at once unless it holds items of this poll n8n may not take.
		const state = without(outcome.state, ref);
		return { ...outcome, state: outcome.items.length === 0 ? { ...state, ...memory } : state, taken };
	}
	const settling = [...(outcome.state.settling ?? []).filter((r) => r.runId !== ref.runId), ref].slice(-MAX_SETTLING);
	return {
		...outcome,
		state: { ...without(outcome.state, ref), settling },
		taken,
		items: [...outcome.items, ...items],
	};
}

/** `state` without `ref`, as the run going or as a run waiting to be taken. */
function without(state: TriggerState, ref: RunRef): TriggerState {
	const next = { ...state };
	if (next.pendingRun?.runId === ref.runId) delete next.pendingRun;
	if (next.settling) {
		const settling = next.settling.filter((r) => r.runId !== ref.runId);
		if (settling.length > 0) next.settling = settling;
		else delete next.settling;
	}
	return next;
}

export const failsThePoll = (run: RunResults, config: Pick<StepConfig, 'failOnRunFailure'>) =>
	run.status !== 'C' && config.failOnRunFailure;

type EmitMemory = Pick<TriggerState, 'lastHash' | 'seenKeys'>;

/** The items a finished run emits (none when nothing is new) and the memory they leave. */
export function runResultItems(
	run: RunResults,
	config: Pick<StepConfig, 'emit' | 'dedupeField' | 'rememberItems'>,
	memory: EmitMemory,
): { items: INodeExecutionData[]; memory: EmitMemory } {
	const kept: EmitMemory = {};
	if (memory.lastHash !== undefined) kept.lastHash = memory.lastHash;
	if (memory.seenKeys !== undefined) kept.seenKeys = memory.seenKeys;
	const item = runItem(run, null);
	if (run.status !== 'C' || config.emit === 'always') return { items: [{ json: item }], memory: kept };
	if (config.emit === 'changed') {
		const lastHash = stableHash(run.result);
		return kept.lastHash === lastHash ? { items: [], memory: kept } : { items: [{ json: item }], memory: { ...kept, lastHash } };
	}
	const { fresh, seenKeys } = newElements(resultElements(run.result), kept.seenKeys ?? [], config.dedupeField, config.rememberItems);
	return { items: fresh.map((element) => ({ json: { ...item, result: element as IDataObject } })), memory: { ...kept, seenKeys } };
}

export function runFailure(run: RunResults): Failure {
	const stepRun = run.executions.find((s) => s.status === 'F' || s.status === 'X') ?? run.executions[run.executions.length - 1];
	const where = stepRun ? ` at step ${stepRun.instructionOrder} "${stepRun.instruction}"` : '';
	const why = run.errorMessage ?? stepRun?.errorMessage;
	return {
		message: runEndedMessage(run, 'trigger', where, why),
		description:
			'The trigger stays active and keeps starting a run on every poll. Turn off "Fail on Run Failure" to receive failed and cancelled runs as items instead.',
	};
}

/**
 * Session Change: the open sessions now against those of the last poll n8n took. The first
 * poll only records; what was emitted counts as known once n8n takes it.
 */
export function sessionStep(
	state: TriggerState,
	sessions: BrowserSession[],
	events: Set<SessionEvent>,
): { state: TriggerState; taken: TriggerState; items: INodeExecutionData[] } {
	const base = withoutKeys(state, ['pendingRun', 'settling', 'lastHash', 'seenKeys']);
	const current: Record<string, IDataObject> = {};
	for (const session of sessions) if (session.status !== 'closed') current[session.uuid] = sessionItem(session);
	const known = base.knownSessions;
	const taken = { ...base, knownSessions: current };
	if (!known) return { state: taken, taken, items: [] };

	const emitted: IDataObject[] = [];
	if (events.has('started')) {
		for (const [id, item] of Object.entries(current)) if (!(id in known)) emitted.push({ ...item, event: 'started' });
	}
	if (events.has('closed')) {
		for (const [id, item] of Object.entries(known)) {
			if (id in current) continue;
			const listedClosed = sessions.find((session) => session.uuid === id);
			emitted.push({ ...(listedClosed ? sessionItem(listedClosed) : { ...item, status: 'closed' }), event: 'closed' });
		}
	}
	if (emitted.length === 0) return { state: taken, taken, items: [] };
	return { state: base, taken, items: emitted.map((json) => ({ json })) };
}
