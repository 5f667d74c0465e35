/**
 * event = workflowResult: one poll, as `./step` decides it. The trigger has at most one Witrium
 * run going (`pendingRun`); a poll
 *
 * 1. reads the runs the state remembers: finished runs whose items n8n did not take (read once)
 *    and the run going (waited for within the poll's budget, less the reserve kept for a start);
 * 2. starts the next run when none is going, and stores it at once where the host can
 *    (`__commitCursor`): a start has its own timeout (the client's), never the poll's deadline;
 * 3. waits for that run within what is left of the budget;
 * 4. writes the state (the commit point) and hands the items over: what settling changes is
 *    written when n8n takes them (`./host` handOver), so a dropped poll's items come again.
 *
 * An error after items were settled is logged, and the items go out; without items it fails
 * the poll. The activation poll sends nothing (see `../trigger.ts`).
 */
import { NodeOperationError } from 'n8n-workflow';
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { RunStatusError, WaitTimeoutError, WitriumApiError, isRunOver } from '../../client';
import type { RunResults, WitriumClient } from '../../client';
import { cancelQuietly } from '../cancelRunNode';
import { PollClock, hostPollBudgetMs, readWithin } from './clock';
import type { WorkflowConfig } from './config';
import { commitCursor, handOver } from './host';
import { canonicalJson } from './results';
import type { PollState, RunRef } from './state';
import { begin, failsThePoll, remembered, runFailure, runResultItems, started, step, type Failure, type RunSeen } from './step';

export async function pollWorkflowResult(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
	poll: PollState,
): Promise<INodeExecutionData[][] | null> {
	const clock = new PollClock(hostPollBudgetMs(ctx), config.maxWaitMs);
	let outcome = begin(poll.current);
	for (const ref of remembered(outcome.state)) {
		if (outcome.failure) break;
		const waits = outcome.state.pendingRun?.runId === ref.runId;
		outcome = step(outcome, ref, await observe(ctx, client, config, ref, clock, waits), config, Date.now());
	}
	for (const runId of outcome.cancel) {
		if (!(await cancelQuietly(client, runId))) {
			ctx.logger.warn(`Witrium Trigger: cancelling run ${runId} failed; cancel it with the Witrium Cancel Run node`);
		}
	}

	let problem: unknown = outcome.failure ? failureError(ctx, outcome.failure) : undefined;
	if (!outcome.blocked && !outcome.state.pendingRun && clock.canStart()) {
		try {
			const submitted = await client.runWorkflow(config.workflowId, config.request);
			const run: RunRef = { runId: submitted.runId, startedAt: new Date().toISOString() };
			outcome = started(outcome, run);
			// Stored now where the host can: a poll that ends badly from here on still leaves it known.
			poll.write(outcome.state);
			await commitCursor(ctx);
			if (!problem) {
				const own = await waitWithin(client, run.runId, clock, { workflowId: config.workflowId });
				if (own && isRunOver(own)) {
					outcome = step(outcome, run, { kind: 'over', run: own }, config, Date.now());
					if (outcome.failure) problem = failureError(ctx, outcome.failure);
				}
			}
		} catch (error) {
			// A start that failed after it was sent says so in its message (the run may exist).
			problem ??= error;
		}
	}

	poll.write(outcome.state);
	if (outcome.items.length > 0) {
		if (problem) {
			ctx.logger.warn(`Witrium Trigger: ${(problem as Error).message}; the items settled before it are emitted, the next poll goes on`);
		}
		const { taken } = outcome;
		return handOver(ctx, outcome.items, () => poll.write(taken));
	}
	if (problem) {
		// A host that stages state drops it when the poll throws.
		await commitCursor(ctx);
		throw problem;
	}
	return null;
}

function failureError(ctx: IPollFunctions, failure: Failure): unknown {
	return failure.cause ?? new NodeOperationError(ctx.getNode(), failure.message, { description: failure.description });
}

/** What the poll sees of a remembered run: the run going is waited for, a finished one read once. */
async function observe(
	ctx: IPollFunctions,
	client: WitriumClient,
	config: WorkflowConfig,
	ref: RunRef,
	clock: PollClock,
	waits: boolean,
): Promise<RunSeen> {
	try {
		const current = await readWithin(
			ctx.getNode(),
			clock,
			`about run ${ref.runId}`,
			(call) => client.getResults(ref.runId, call),
			clock.startReserveMs,
		);
		if (current.workflowId && current.workflowId !== config.workflowId) return { kind: 'elsewhere' };
		const run =
			isRunOver(current) || !waits ? current : await waitWithin(client, ref.runId, clock, { last: current, keepMs: clock.startReserveMs });
		return run && isRunOver(run) ? { kind: 'over', run } : { kind: 'going', status: (run ?? current).status };
	} catch (error) {
		const gone = error instanceof WitriumApiError && error.notFound;
		return { kind: 'unreadable', gone, reason: (error as Error).message, cause: error };
	}
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
	if (failsThePoll(run, config)) {
		const failure = runFailure(run);
		throw new NodeOperationError(node, failure.message, { description: failure.description });
	}
	const { items } = runResultItems(run, config, {});
	if (items.length === 0) {
		throw new NodeOperationError(node, `Test run ${run.runId} completed, but its result has no items`, {
			description: `"New Items" splits an array result into items; this run returned ${canonicalJson(run.result).slice(0, 200)}.`,
		});
	}
	return [items];
}
