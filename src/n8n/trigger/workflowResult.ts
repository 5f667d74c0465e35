/**
 * event = workflowResult. The trigger has at most one Witrium run going, remembered in
 * `pendingRun`; a poll moves it along  idle → running → finished → (settled) idle:
 *
 * 1. running: a run started by an earlier poll is waited for within the poll's budget. Still
 *    going: the poll returns `null` and starts nothing (never two runs at once); after Give Up
 *    After it is cancelled and reported.
 * 2. idle: every poll starts a run, also one that found the previous run finished.
 * 3. finished: the previous poll's run is settled (emitted or reported, once), then this poll's
 *    own run is waited for in what is left of the budget: settled too when it finishes, else
 *    carried to the next poll.
 *
 * The activation poll sends nothing (see `../trigger.ts`).
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
import { canonicalJson, newElements, resultElements, stableHash } from './results';
import { forget, type TriggerState } from './state';

export async function pollWorkflowResult(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
	state: TriggerState,
): Promise<INodeExecutionData[][] | null> {
	const node = ctx.getNode();
	forget(state, ['knownSessions']);
	const clock = new PollClock(hostPollBudgetMs(ctx), config.maxWaitMs);

	const previous = state.pendingRun ? await finishPendingRun(node, client, config, state, clock) : undefined;
	if (previous === 'running') return null;

	const runId = await startRun(client, config, state, clock);
	// A failed previous run throws here, its successor already going (and remembered).
	const items = previous ? settle(node, state, previous, config) : [];
	const own = await waitWithin(client, runId, clock, undefined, config.workflowId);
	// A failure of its own run is left to the next poll when this poll already has items to emit.
	if (own && isRunOver(own) && !(items.length > 0 && failsThePoll(own, config))) {
		delete state.pendingRun;
		items.push(...settle(node, state, own, config));
	}
	return items.length > 0 ? [items] : null;
}

/** Starts a run and remembers it. Not bounded by the budget: once sent, its id is needed. */
async function startRun(client: WitriumClient, config: WorkflowConfig, state: TriggerState, clock: PollClock): Promise<string> {
	const submitted = await client.runWorkflow(config.workflowId, config.request, { timeoutMs: clock.requestTimeout() });
	state.pendingRun = { runId: submitted.runId, startedAt: new Date().toISOString() };
	return submitted.runId;
}

/**
 * The remembered run, finished (it stays remembered until the next run is started, so a
 * failed start leaves it to the next poll), or `'running'`, or undefined when it is not this
 * trigger's any more (the Workflow ID was changed since).
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
		current = await readWithin(node, clock, `about run ${pending.runId}`, (call) => client.getResults(pending.runId, call));
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
	const run = isRunOver(current) ? current : await waitWithin(client, pending.runId, clock, current);
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
	last?: RunResults,
	workflowId?: string,
): Promise<RunResults | undefined> {
	const remaining = clock.remaining();
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

/** The items a finished run emits (none when nothing is new); updates `state` (a throwaway object in manual mode). */
function settle(node: INode, state: TriggerState, run: RunResults, config: WorkflowConfig): INodeExecutionData[] {
	if (run.status !== 'C') {
		if (config.failOnRunFailure) throw runFailedError(node, run);
		return [{ json: runItem(run, null) }];
	}
	if (config.emit === 'always') return [{ json: runItem(run, null) }];
	if (config.emit === 'changed') {
		const hash = stableHash(run.result);
		if (state.lastHash === hash) return [];
		state.lastHash = hash;
		return [{ json: runItem(run, null) }];
	}
	const { fresh, seenKeys } = newElements(resultElements(run.result), state.seenKeys ?? [], config.dedupeField, config.rememberItems);
	if (canonicalJson(seenKeys) !== canonicalJson(state.seenKeys ?? null)) state.seenKeys = seenKeys;
	const base = runItem(run, null);
	return fresh.map((element) => ({ json: { ...base, result: element as IDataObject } }));
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
	const run = await waitWithin(client, submitted.runId, clock, undefined, config.workflowId);
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
	const items = settle(node, {}, run, config);
	if (items.length === 0) {
		throw new NodeOperationError(node, `Test run ${run.runId} completed, but its result has no items`, {
			description: `"New Items" splits an array result into items; this run returned ${canonicalJson(run.result).slice(0, 200)}.`,
		});
	}
	return [items];
}
