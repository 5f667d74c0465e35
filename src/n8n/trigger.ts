/**
 * The Witrium Trigger's logic: a polling trigger that runs a workflow on every poll (and emits
 * its result as chosen) or watches browser sessions start and close.
 *
 * ## Where the state lives, and when n8n keeps it
 *
 * All state is in `getWorkflowStaticData('node')` (see {@link TriggerState}), so it follows the
 * workflow across restarts and queue mode as far as the host persists static data. What the
 * host does with a poll's changes was read off n8n-core 2.40.3
 * (`poll-trigger-executor.js`, `poll-cursor-hooks.js`, `poll-context.js`) and n8n-io/n8n's
 * `TriggerExecutionContextFactory.getExecutePollFunctions`:
 *
 * - n8n 2.x, leased ("durable cursor") polls: every poll runs inside `__runPoll`, which hands
 *   the node a private copy of its stored static data. The copy is stored when the poll emits
 *   (in the same transaction as the execution it starts) or returns `null` (the executor calls
 *   `__commitCursor`), and DROPPED when the poll throws. `getPollBudgetMs()` is
 *   min(poll timeout, lease) minus max(20 %, 5 s); a poll that overruns it has its commit
 *   fenced out.
 * - n8n 2.x without a lease, and n8n 1.x: the node gets the active workflow's own static data
 *   object (kept in memory between polls); every change stays for the next poll, even from a
 *   poll that threw, and is written to the database when a poll emits. 2.x without a lease
 *   reports a 5 min budget; 1.x has no `getPollBudgetMs` at all.
 *
 * Consequences here:
 * - A run still going when the poll must return is written to `pendingRun` and the poll
 *   returns `null`: 2.x stores it at once; 1.x keeps it in memory (it survives until a restart
 *   of n8n, after which the next poll starts a fresh run; nothing runs twice at the same time).
 * - A poll that fails after changing the state (a failed run whose `pendingRun` it cleared, a
 *   run it started before an API error) must not lose that change, or a 2.x poll would report
 *   the same failed run forever or start a second run. So before throwing, a trigger poll asks
 *   the host to store its state with `__commitCursor` when the host has it. n8n documents that
 *   hook as the engine's, but it is exactly "store the staged copy now", is idempotent (a
 *   second commit in the same poll stores nothing), and is a no-op on hosts without staging.
 *   On 1.x the in-memory change already stands.
 * - Manual "Fetch Test Event" never reads or writes static data.
 */
import { createHash } from 'node:crypto';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { RunStatusError, WaitTimeoutError, WitriumApiError, isTerminalStatus } from '../client';
import type { BrowserSession, CallOptions, RunResults, RunWorkflowRequest, WitriumClient } from '../client';
import { witriumClient } from './client';
import { toNodeError } from './errors';
import { runItem, sessionItem, statusName } from './items';
import { readArguments, readId, splitList, type ParameterSource } from './params';
import { cancelQuietly } from './runWorkflow';

export type TriggerEvent = 'workflowResult' | 'sessionChange';
export type EmitMode = 'changed' | 'always' | 'newItems';
export type SessionEvent = 'started' | 'closed';

export interface TriggerOptions {
	useStates?: string;
	failOnRunFailure?: boolean;
	/** Seconds one poll may wait for a run (further capped by n8n's poll budget). */
	maxWait?: number;
	/** Minutes after which a run still going is cancelled; 0 = never. */
	giveUpAfter?: number;
	/** How many result items `newItems` remembers. */
	rememberItems?: number;
}

/** The trigger's static data (node scope). */
export interface TriggerState {
	/** sha256 of the canonical JSON of the last emitted result (emit = changed). */
	lastHash?: string;
	/** Keys of result items seen, least recently seen first (emit = newItems). */
	seenKeys?: string[];
	/** A run started by an earlier poll and not finished when that poll returned. */
	pendingRun?: { runId: string; startedAt: string };
	/** Open browser sessions at the last poll, by id (event = sessionChange). */
	knownSessions?: Record<string, IDataObject>;
}

/** Budget assumed when the host has no `getPollBudgetMs` (n8n 1.x). */
export const DEFAULT_POLL_BUDGET_MS = 45_000;
export const DEFAULT_MAX_WAIT_SECONDS = 45;
export const DEFAULT_GIVE_UP_MINUTES = 60;
export const DEFAULT_REMEMBER_ITEMS = 1000;
/** Kept free at the end of the budget for the hand-off and the state commit. */
const MIN_MARGIN_MS = 100;
const MAX_MARGIN_MS = 5000;
/** Longest pause between status checks while a poll waits for a run. */
const MAX_POLL_INTERVAL_MS = 5000;
/** Floor of one HTTP request's timeout, however little budget is left. */
const MIN_REQUEST_TIMEOUT_MS = 250;

// ---------------------------------------------------------------------------
// Small pure helpers (exported for tests)

/** JSON with object keys sorted at every level, so equal data always gives the same text. */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		const text = JSON.stringify(value);
		return text === undefined ? 'null' : text;
	}
	if (Array.isArray(value)) return `[${value.map((entry) => canonicalJson(entry)).join(',')}]`;
	const object = value as Record<string, unknown>;
	const keys = Object.keys(object)
		.filter((key) => object[key] !== undefined)
		.sort();
	return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
}

/** A stable hash of any JSON value, insensitive to key order. */
export function stableHash(value: unknown): string {
	return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** A top-level field, or a dot path (`price.amount`) when no top-level field has that name. */
export function fieldValue(element: unknown, field: string): unknown {
	if (element === null || typeof element !== 'object') return undefined;
	const object = element as Record<string, unknown>;
	if (field in object) return object[field];
	let current: unknown = element;
	for (const part of field.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}

/** What identifies a result item: its dedupe field's value, else a hash of the whole item. */
export function itemKey(element: unknown, dedupeField: string | undefined): string {
	if (dedupeField) {
		const value = fieldValue(element, dedupeField);
		if (value !== undefined && value !== null) {
			const text = typeof value === 'string' ? value : canonicalJson(value);
			return text.length <= 64 ? `=${text}` : `=#${stableHash(text).slice(0, 32)}`;
		}
	}
	return `#${stableHash(element).slice(0, 32)}`;
}

/** The items of a result: an array's elements, an object as one item, nothing for null. */
export function resultElements(result: unknown): unknown[] {
	if (Array.isArray(result)) return result;
	return result === null || result === undefined ? [] : [result];
}

/**
 * Elements not seen before, and the new memory: keys seen in this result move to the end
 * (most recently seen), and the oldest are forgotten beyond `limit`. The keys of this result
 * are all kept even when there are more than `limit` of them, or the next poll of the same
 * result would emit the forgotten ones again.
 */
export function newElements(
	elements: unknown[],
	seenKeys: readonly string[],
	dedupeField: string | undefined,
	limit: number,
): { fresh: unknown[]; seenKeys: string[] } {
	const seen = new Set(seenKeys);
	const current: string[] = [];
	const inThisResult = new Set<string>();
	const fresh: unknown[] = [];
	for (const element of elements) {
		const key = itemKey(element, dedupeField);
		if (inThisResult.has(key)) continue;
		inThisResult.add(key);
		current.push(key);
		if (!seen.has(key)) fresh.push(element);
	}
	const older = seenKeys.filter((key) => !inThisResult.has(key));
	const roomForOlder = Math.max(0, Math.max(1, limit) - current.length);
	return { fresh, seenKeys: [...older.slice(older.length - roomForOlder), ...current] };
}

/** The poll budget n8n gives this poll, or a safe default on hosts that do not say. */
export function hostPollBudgetMs(ctx: object): number {
	const host = ctx as { getPollBudgetMs?: unknown };
	if (typeof host.getPollBudgetMs !== 'function') return DEFAULT_POLL_BUDGET_MS;
	const budget: unknown = (host.getPollBudgetMs as () => unknown).call(ctx);
	return typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
}

/** The time one poll may spend: the host's budget (or Max Wait, if less) minus a margin. */
class PollClock {
	readonly deadline: number;
	readonly budgetMs: number;

	constructor(hostBudgetMs: number, maxWaitMs: number) {
		this.budgetMs = Math.min(hostBudgetMs, maxWaitMs > 0 ? maxWaitMs : hostBudgetMs);
		const margin = Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, this.budgetMs * 0.1));
		this.deadline = Date.now() + Math.max(0, this.budgetMs - margin);
	}

	remaining(): number {
		return Math.max(0, this.deadline - Date.now());
	}

	/** A timeout for one request: what is left, but never less than a floor. */
	requestTimeout(): number {
		return Math.max(MIN_REQUEST_TIMEOUT_MS, this.remaining());
	}
}

/**
 * A read (retries included) bounded by what is left of the poll's time. Reads only: a request
 * that starts a run is never aborted half-way, as its run id is needed to pick the run up.
 */
async function readWithin<T>(node: INode, clock: PollClock, what: string, read: (call: CallOptions) => Promise<T>): Promise<T> {
	const signal = AbortSignal.timeout(clock.requestTimeout());
	try {
		return await read({ signal, timeoutMs: clock.requestTimeout() });
	} catch (error) {
		if (error instanceof WitriumApiError && error.kind === 'aborted' && signal.aborted) {
			throw new NodeOperationError(node, `Witrium did not answer ${what} within the time this poll has`, {
				description: `Witrium is slow or unreachable right now (${error.endpoint}). The trigger keeps its state; the next poll tries again.`,
			});
		}
		throw error;
	}
}

// ---------------------------------------------------------------------------
// Parameters

/** params.ts reads parameters the action nodes' way (name, itemIndex, fallback); a poll context takes (name, fallback). */
function parameterSource(ctx: IPollFunctions): ParameterSource {
	return {
		getNode: () => ctx.getNode(),
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => ctx.getNodeParameter(name, fallback),
	};
}

/** An input error from params.ts, without the "[item 0]" a trigger has no use for. */
function withoutItemSuffix<T>(read: () => T): T {
	try {
		return read();
	} catch (error) {
		if (error instanceof NodeOperationError) {
			error.message = error.message.replace(/ \[item 0\]$/, '');
			delete error.context.itemIndex;
		}
		throw error;
	}
}

interface WorkflowConfig {
	workflowId: string;
	request: RunWorkflowRequest;
	emit: EmitMode;
	dedupeField: string | undefined;
	failOnRunFailure: boolean;
	maxWaitMs: number;
	giveUpAfterMs: number;
	rememberItems: number;
}

function readWorkflowConfig(ctx: IPollFunctions): WorkflowConfig {
	const source = parameterSource(ctx);
	const workflowId = withoutItemSuffix(() => readId(source, 'workflowId', 'Workflow ID', 0));
	const args = withoutItemSuffix(() => readArguments(source, 0));
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const emit = ctx.getNodeParameter('emit', 'changed') as EmitMode;
	const dedupeField = emit === 'newItems' ? String(ctx.getNodeParameter('dedupeField', '') ?? '').trim() || undefined : undefined;
	const maxWait = options.maxWait ?? DEFAULT_MAX_WAIT_SECONDS;
	const giveUpAfter = options.giveUpAfter ?? DEFAULT_GIVE_UP_MINUTES;
	return {
		workflowId,
		request: { args, useStates: splitList(options.useStates) },
		emit,
		dedupeField,
		failOnRunFailure: options.failOnRunFailure ?? true,
		maxWaitMs: Number.isFinite(maxWait) && maxWait > 0 ? maxWait * 1000 : 0,
		giveUpAfterMs: Number.isFinite(giveUpAfter) && giveUpAfter > 0 ? giveUpAfter * 60_000 : 0,
		rememberItems: Number.isFinite(options.rememberItems) ? Math.max(1, Math.floor(options.rememberItems!)) : DEFAULT_REMEMBER_ITEMS,
	};
}

// ---------------------------------------------------------------------------
// Entry point

/** `poll()` of the Witrium Trigger. */
export async function pollWitriumTrigger(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const manual = ctx.getMode() === 'manual';
	const event = ctx.getNodeParameter('event', 'workflowResult') as TriggerEvent;
	try {
		if (event === 'sessionChange') {
			const events = readSessionEvents(ctx);
			const client = await witriumClient(ctx);
			return manual ? await sampleSessions(ctx, client) : await pollSessions(ctx, client, events);
		}
		const config = readWorkflowConfig(ctx);
		const client = await witriumClient(ctx);
		return manual ? await sampleWorkflowResult(ctx, client, config) : await pollWorkflowResult(ctx, client, config);
	} catch (error) {
		// Keep what this poll already changed (a run it started, a failed run it cleared).
		if (!manual) await commitState(ctx);
		throw asNodeError(ctx.getNode(), error);
	}
}

/** Asks the host to store the node's static data now (n8n 2.x staged polls); see the file comment. */
async function commitState(ctx: IPollFunctions): Promise<void> {
	const commit = (ctx as { __commitCursor?: unknown }).__commitCursor;
	if (typeof commit !== 'function') return;
	try {
		await (commit as () => Promise<void>).call(ctx);
	} catch {
		// The error the poll is about to throw matters more than a failed early commit.
	}
}

function asNodeError(node: INode, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const converted = toNodeError(node, error, 0);
	delete converted.context.itemIndex;
	return converted;
}

function nodeState(ctx: IPollFunctions): TriggerState {
	return ctx.getWorkflowStaticData('node') as TriggerState;
}

/** Drops state kept for the other event type, so the static data stays small. */
function forget(state: TriggerState, keys: Array<keyof TriggerState>) {
	for (const key of keys) if (key in state) delete state[key];
}

// ---------------------------------------------------------------------------
// event = workflowResult

async function waitWithin(
	client: WitriumClient,
	runId: string,
	clock: PollClock,
	last?: RunResults,
): Promise<RunResults | undefined> {
	const remaining = clock.remaining();
	if (remaining <= 0) return last;
	try {
		return await client.waitForRun(runId, { timeoutMs: remaining, maxPollIntervalMs: MAX_POLL_INTERVAL_MS });
	} catch (error) {
		if (error instanceof RunStatusError) return error.run;
		if (error instanceof WaitTimeoutError) return error.lastRun ?? last;
		throw error;
	}
}

async function pollWorkflowResult(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
): Promise<INodeExecutionData[][] | null> {
	const node = ctx.getNode();
	const state = nodeState(ctx);
	forget(state, ['knownSessions']);
	const clock = new PollClock(hostPollBudgetMs(ctx), config.maxWaitMs);
	let run: RunResults | undefined;

	const pending = state.pendingRun;
	if (pending) {
		let current: RunResults;
		try {
			current = await readWithin(node, clock, `about run ${pending.runId}`, (call) => client.getResults(pending.runId, call));
		} catch (error) {
			if (error instanceof WitriumApiError && error.status === 404) {
				delete state.pendingRun;
				throw new NodeOperationError(node, `Run ${pending.runId}, started by an earlier poll, was not found in Witrium`, {
					description:
						'Witrium no longer knows this run, or the credential now points at another account. The trigger forgot it: the next poll starts a fresh run.',
				});
			}
			throw error;
		}
		if (current.workflowId && current.workflowId !== config.workflowId) {
			// The Workflow ID was changed since that run started: its result is not this trigger's any more.
			delete state.pendingRun;
		} else {
			run = isTerminalStatus(current.status) ? current : await waitWithin(client, pending.runId, clock, current);
			if (!run || !isTerminalStatus(run.status)) {
				const age = Date.now() - Date.parse(pending.startedAt);
				if (config.giveUpAfterMs > 0 && age > config.giveUpAfterMs) {
					const cancelled = await cancelQuietly(client, pending.runId);
					delete state.pendingRun;
					throw new NodeOperationError(
						node,
						`Run ${pending.runId} of workflow ${config.workflowId} was still ${statusName((run ?? current).status)} after ${Math.round(age / 60_000)} min`,
						{
							description: `${cancelled ? 'The trigger cancelled it' : 'Cancelling it failed; cancel it with the Witrium Cancel Run node'}, and the next poll starts a fresh run. Raise "Give Up After" if the workflow needs longer.`,
						},
					);
				}
				return null; // still going: the next poll picks it up again
			}
			delete state.pendingRun;
		}
	}

	if (!run) {
		// Not aborted by the budget: once sent, the run id is needed to pick the run up later.
		const submitted = await client.runWorkflow(config.workflowId, config.request, { timeoutMs: clock.requestTimeout() });
		state.pendingRun = { runId: submitted.runId, startedAt: new Date().toISOString() };
		run = await waitWithin(client, submitted.runId, clock);
		if (!run || !isTerminalStatus(run.status)) return null; // carried over to the next poll
		delete state.pendingRun;
	}

	return settle(node, state, run, config);
}

/** What a finished run emits; updates `state` (a throwaway object in manual mode). */
function settle(node: INode, state: TriggerState, run: RunResults, config: WorkflowConfig): INodeExecutionData[][] | null {
	if (run.status !== 'C') {
		if (config.failOnRunFailure) throw runFailedError(node, run);
		return [[{ json: runItem(run, null) }]];
	}
	if (config.emit === 'always') return [[{ json: runItem(run, null) }]];
	if (config.emit === 'changed') {
		const hash = stableHash(run.result);
		if (state.lastHash === hash) return null;
		state.lastHash = hash;
		return [[{ json: runItem(run, null) }]];
	}
	const { fresh, seenKeys } = newElements(resultElements(run.result), state.seenKeys ?? [], config.dedupeField, config.rememberItems);
	if (canonicalJson(seenKeys) !== canonicalJson(state.seenKeys ?? null)) state.seenKeys = seenKeys;
	if (fresh.length === 0) return null;
	const base = runItem(run, null);
	return [fresh.map((element) => ({ json: { ...base, result: element as IDataObject } }))];
}

function runFailedError(node: INode, run: RunResults): NodeOperationError {
	const step = run.executions.find((s) => s.status === 'F' || s.status === 'X') ?? run.executions[run.executions.length - 1];
	const where = step ? ` at step ${step.instructionOrder} "${step.instruction}"` : '';
	const why = run.errorMessage ?? step?.errorMessage;
	return new NodeOperationError(node, `Run ${run.runId} of workflow ${run.workflowId} ${statusName(run.status)}${where}${why ? `: ${why}` : ''}`, {
		description:
			'The trigger stays active and the next poll starts a fresh run. Turn off "Fail on Run Failure" to receive failed and cancelled runs as items instead.',
	});
}

/** "Fetch Test Event": one real run, output as a first poll would, with no state read or written. */
async function sampleWorkflowResult(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const clock = new PollClock(hostPollBudgetMs(ctx), config.maxWaitMs);
	const submitted = await client.runWorkflow(config.workflowId, config.request, { timeoutMs: clock.requestTimeout() });
	const run = await waitWithin(client, submitted.runId, clock);
	if (!run || !isTerminalStatus(run.status)) {
		const cancelled = await cancelQuietly(client, submitted.runId);
		throw new NodeOperationError(
			node,
			`Test run ${submitted.runId} of workflow ${config.workflowId} did not finish within ${Math.round(clock.budgetMs / 1000)} s`,
			{
				description: `${cancelled ? 'The test run was cancelled.' : 'Cancelling the test run failed: it may still be going.'} When the workflow is active, a run that takes longer is picked up by later polls. To fetch a test event, raise "Max Wait per Poll" (n8n's poll budget still applies).`,
			},
		);
	}
	const output = settle(node, {}, run, config);
	if (output === null) {
		throw new NodeOperationError(node, `Test run ${run.runId} completed, but its result has no items`, {
			description: `"New Items" splits an array result into items; this run returned ${canonicalJson(run.result).slice(0, 200)}.`,
		});
	}
	return output;
}

// ---------------------------------------------------------------------------
// event = sessionChange

function readSessionEvents(ctx: IPollFunctions): Set<SessionEvent> {
	const chosen = ctx.getNodeParameter('sessionEvents', ['started', 'closed']) as SessionEvent[];
	if (!Array.isArray(chosen) || chosen.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No session event is chosen', {
			description: 'Pick "Started", "Closed" or both under "Session Events".',
		});
	}
	return new Set(chosen);
}

const isOpen = (session: BrowserSession) => session.status !== 'closed';

async function pollSessions(
	ctx: IPollFunctions,
	client: WitriumClient,
	events: Set<SessionEvent>,
): Promise<INodeExecutionData[][] | null> {
	const clock = new PollClock(hostPollBudgetMs(ctx), 0);
	const { sessions } = await readWithin(ctx.getNode(), clock, 'with the browser sessions', (call) => client.listSessions(call));
	const state = nodeState(ctx);
	forget(state, ['pendingRun', 'lastHash', 'seenKeys']);

	const current: Record<string, IDataObject> = {};
	for (const session of sessions) if (isOpen(session)) current[session.uuid] = sessionItem(session);
	const known = state.knownSessions;
	state.knownSessions = current;
	if (!known) return null; // the first poll only records what is open now

	const emitted: IDataObject[] = [];
	if (events.has('started')) {
		for (const [id, item] of Object.entries(current)) if (!(id in known)) emitted.push({ ...item, event: 'started' });
	}
	if (events.has('closed')) {
		for (const [id, item] of Object.entries(known)) {
			if (id in current) continue;
			const listedClosed = sessions.find((session) => session.uuid === id);
			const record = listedClosed ? sessionItem(listedClosed) : { ...item, status: 'closed' };
			emitted.push({ ...record, event: 'closed' });
		}
	}
	return emitted.length > 0 ? [emitted.map((json) => ({ json }))] : null;
}

async function sampleSessions(ctx: IPollFunctions, client: WitriumClient): Promise<INodeExecutionData[][]> {
	const clock = new PollClock(hostPollBudgetMs(ctx), 0);
	const { sessions } = await readWithin(ctx.getNode(), clock, 'with the browser sessions', (call) => client.listSessions(call));
	const open = sessions.filter(isOpen);
	if (open.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No browser session is open in Witrium right now', {
			description:
				'Fetch Test Event shows the sessions open now as "started" events. Open one (e.g. with the Witrium Browser Session node, operation Create) and fetch again.',
		});
	}
	return [open.map((session) => ({ json: { ...sessionItem(session), event: 'started' } }))];
}
