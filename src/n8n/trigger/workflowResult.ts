/**
 * event = workflowResult. The trigger has at most one Witrium run going, remembered in
 * `pendingRun`; a poll moves it along  idle → running → finished → (settled) idle:
 *
 * 1. running: a run started by an earlier poll is waited for within the poll's budget, less the
 *    reserve kept for a start. Still going: the poll returns `null` and starts nothing (never
 *    two runs at once); after Give Up After it is cancelled and reported.
 * 2. idle: a poll starts a run, also one that found the previous run finished; not when too
 *    little of its budget is left for the start, nor when the workflow was activated again
 *    meanwhile (a save or publish): then the next poll does.
 * 3. finished: the previous poll's run is settled (emitted or reported, once), then this poll's
 *    own run is waited for in what is left of the budget: settled too when it finishes, else
 *    carried to the next poll.
 *
 * Items settled are emitted even when the start or the wait that follows fails: that failure
 * comes back with a later poll. What settling changes in the state is applied once n8n takes
 * the items (`./emission`). The activation poll sends nothing (see `../trigger.ts`).
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { RunStatusError, WaitTimeoutError, WitriumApiError, isRunOver, statusName } from '../../client';
import type { RunResults, WitriumClient } from '../../client';
import { runEndedMessage } from '../errors';
import { runItem } from '../items';
import { cancelQuietly } from '../cancelRunNode';
import { PollClock, hostPollBudgetMs, readWithin } from './clock';
import type { WorkflowConfig } from './config';
import { applyWhenTaken } from './emission';
import { canonicalJson, newElements, resultElements, stableHash } from './results';
import { forget, isSuperseded, rememberState, type TriggerState } from './state';

/** What emitted results leave behind for the next comparison. */
type EmitMemory = Pick<TriggerState, 'lastHash' | 'seenKeys'>;

/** What a poll settled: the items to emit, the memory they leave, the run settled last. */
interface Settled {
	items: INodeExecutionData[];
	memory: EmitMemory;
	runId?: string;
}

export async function pollWorkflowResult(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
	state: TriggerState,
): Promise<INodeExecutionData[][] | null> {
	const node = ctx.getNode();
	forget(state, ['knownSessions']);
	const clock = new PollClock(hostPollBudgetMs(ctx), config.maxWaitMs);
	const settled: Settled = { items: [], memory: { lastHash: state.lastHash, seenKeys: state.seenKeys } };

	let previousFailed: NodeOperationError | undefined;
	if (state.pendingRun) {
		const previous = await finishPendingRun(node, client, config, state, clock);
		if (previous === 'running') return null;
		if (previous) previousFailed = settleInto(settled, node, previous, config);
	}
	try {
		const runId = clock.canStart() && !isSuperseded(ctx) ? await startRun(client, config, state, clock) : undefined;
		// A failed previous run is reported now, its successor already going (and remembered).
		if (previousFailed) throw previousFailed;
		if (runId) await settleOwnRun(node, client, config, runId, clock, settled);
	} catch (error) {
		// Items already settled go out; what failed meets the next poll again.
		if (settled.items.length > 0) return handOver(ctx, state, settled);
		applySettled(state, settled);
		throw previousFailed ?? error;
	}
	return handOver(ctx, state, settled);
}

/** Starts a run and remembers it. Bounded by the poll's deadline only: once sent, its id is needed. */
async function startRun(client: WitriumClient, config: WorkflowConfig, state: TriggerState, clock: PollClock): Promise<string> {
	const submitted = await client.runWorkflow(config.workflowId, config.request, {
		timeoutMs: clock.requestTimeout(),
		deadlineAt: clock.deadline,
	});
	state.pendingRun = { runId: submitted.runId, startedAt: new Date().toISOString() };
	return submitted.runId;
}

/** Waits for the run this poll started; settles it when it finished. */
async function settleOwnRun(
	node: INode,
	client: WitriumClient,
	config: WorkflowConfig,
	runId: string,
	clock: PollClock,
	settled: Settled,
): Promise<void> {
	const own = await waitWithin(client, runId, clock, { workflowId: config.workflowId });
	if (!own || !isRunOver(own)) return;
	// A failure of its own run is left to the next poll when this poll already has items to emit.
	if (settled.items.length > 0 && failsThePoll(own, config)) return;
	const failed = settleInto(settled, node, own, config);
	if (failed) throw failed;
}

/** The poll's output; the state moves on when n8n takes it. */
function handOver(ctx: IPollFunctions, state: TriggerState, settled: Settled): INodeExecutionData[][] | null {
	if (settled.items.length === 0) {
		applySettled(state, settled);
		return null;
	}
	applyWhenTaken(ctx, () => {
		applySettled(state, settled);
		rememberState(ctx, state, '');
	});
	return [settled.items];
}

function applySettled(state: TriggerState, settled: Settled): void {
	const { lastHash, seenKeys } = settled.memory;
	if (lastHash !== undefined) state.lastHash = lastHash;
	if (seenKeys !== undefined && canonicalJson(seenKeys) !== canonicalJson(state.seenKeys ?? null)) state.seenKeys = seenKeys;
	if (settled.runId !== undefined && state.pendingRun?.runId === settled.runId) delete state.pendingRun;
}

/**
 * The remembered run, finished (it stays remembered until a next run is started or n8n took
 * its items, so a poll n8n dropped leaves it to the next one), or `'running'`, or undefined
 * when it is not this trigger's any more (the Workflow ID was changed since).
 */
async function finishPendingRun(
	node: INode,
	client: WitriumClient,
	config: WorkflowConfig,
	state: TriggerState,
	clock: PollClock,
): Promise<RunResults | 'running' | undefined> {
	const pending = state.pendingRun!;
	let current: RunResults;
	try {
		current = await readWithin(
			node,
			clock,
			`about run ${pending.runId}`,
			(call) => client.getResults(pending.runId, call),
			clock.startReserveMs,
		);
	} catch (error) {
		if (error instanceof WitriumApiError && error.notFound) {
			delete state.pendingRun;
			throw new NodeOperationError(node, `Run ${pending.runId}, started by an earlier poll, was not found in Witrium`, {
				description:
					'Witrium no longer knows this run, or the credential now points at another account. The trigger forgot it: the next poll starts a fresh run.',
			});
		}
		throw error;
	}
	if (current.workflowId && current.workflowId !== config.workflowId) {
		delete state.pendingRun;
		return undefined;
	}
	const run = isRunOver(current)
		? current
		: await waitWithin(client, pending.runId, clock, { last: current, keepMs: clock.startReserveMs });
	if (run && isRunOver(run)) return run;

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
	return 'running';
}

/** `workflowId` only for a run started just now: its workflow's earlier runs then forecast its end from the first poll. */
async function waitWithin(
	client: WitriumClient,
	runId: string,
	clock: PollClock,
	{ last, keepMs = 0, workflowId }: { last?: RunResults; keepMs?: number; workflowId?: string } = {},
): Promise<RunResults | undefined> {
	const remaining = clock.remaining(keepMs);
	if (remaining <= 0) return last;
	try {
		return await client.waitForRun(runId, { timeoutMs: remaining, workflowId });
	} catch (error) {
		if (error instanceof RunStatusError) return error.run;
		if (error instanceof WaitTimeoutError) return error.lastRun ?? last;
		throw error;
	}
}

const failsThePoll = (run: RunResults, config: WorkflowConfig) => run.status !== 'C' && config.failOnRunFailure;

/** Adds what a finished run emits to `settled`; returns the error a failed run is reported with, if it fails the poll. */
function settleInto(settled: Settled, node: INode, run: RunResults, config: WorkflowConfig): NodeOperationError | undefined {
	settled.runId = run.runId;
	if (failsThePoll(run, config)) return runFailedError(node, run);
	const { items, memory } = runResultItems(run, config, settled.memory);
	settled.items.push(...items);
	settled.memory = memory;
	return undefined;
}

/** The items a finished run emits (none when nothing is new) and the memory they leave. */
function runResultItems(run: RunResults, config: WorkflowConfig, memory: EmitMemory): { items: INodeExecutionData[]; memory: EmitMemory } {
	const item = runItem(run, null);
	if (run.status !== 'C' || config.emit === 'always') return { items: [{ json: item }], memory };
	if (config.emit === 'changed') {
		const lastHash = stableHash(run.result);
		return memory.lastHash === lastHash ? { items: [], memory } : { items: [{ json: item }], memory: { ...memory, lastHash } };
	}
	const { fresh, seenKeys } = newElements(resultElements(run.result), memory.seenKeys ?? [], config.dedupeField, config.rememberItems);
	return { items: fresh.map((element) => ({ json: { ...item, result: element as IDataObject } })), memory: { ...memory, seenKeys } };
}

function runFailedError(node: INode, run: RunResults): NodeOperationError {
	const step = run.executions.find((s) => s.status === 'F' || s.status === 'X') ?? run.executions[run.executions.length - 1];
	const where = step ? ` at step ${step.instructionOrder} "${step.instruction}"` : '';
	const why = run.errorMessage ?? step?.errorMessage;
	return new NodeOperationError(node, runEndedMessage(run, 'trigger', where, why), {
		description:
			'The trigger stays active and keeps starting a run on every poll. Turn off "Fail on Run Failure" to receive failed and cancelled runs as items instead.',
	});
}

/** "Fetch Test Event": one real run, output as a first poll would, with no state read or written. */
export async function sampleWorkflowResult(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const clock = new PollClock(hostPollBudgetMs(ctx), config.maxWaitMs);
	const submitted = await client.runWorkflow(config.workflowId, config.request, { timeoutMs: clock.requestTimeout() });
	const run = await waitWithin(client, submitted.runId, clock, { workflowId: config.workflowId });
	if (!run || !isRunOver(run)) {
		const cancelled = await cancelQuietly(client, submitted.runId);
		throw new NodeOperationError(
			node,
			`Test run ${submitted.runId} of workflow ${config.workflowId} did not finish within ${Math.round(clock.budgetMs / 1000)} s`,
			{
				description: `${cancelled ? 'The test run was cancelled.' : 'Cancelling the test run failed: it may still be going.'} When the workflow is active, a run that takes longer is picked up by later polls. To fetch a test event, raise "Max Wait per Poll" (n8n's poll budget still applies).`,
			},
		);
	}
	if (failsThePoll(run, config)) throw runFailedError(node, run);
	const { items } = runResultItems(run, config, {});
	if (items.length === 0) {
		throw new NodeOperationError(node, `Test run ${run.runId} completed, but its result has no items`, {
			description: `"New Items" splits an array result into items; this run returned ${canonicalJson(run.result).slice(0, 200)}.`,
		});
	}
	return [items];
}
