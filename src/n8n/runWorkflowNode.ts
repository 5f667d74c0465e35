import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { RunStatusError, WaitAbortedError, WaitTimeoutError, describeLastStep, isRunOver, statusName } from '../client';
import type { RunResults, RunWorkflowRequest, WitriumClient } from '../client';
import { cancelQuietly } from './cancelRunNode';
import { witriumClient } from './clientFromCredential';
import {
	DEFAULT_MAX_CONCURRENCY,
	DEFAULT_MAX_POLL_INTERVAL_SECONDS,
	DEFAULT_REQUEST_TIMEOUT_SECONDS,
	DEFAULT_WAIT_SECONDS,
} from './descriptions';
import { runEndedMessage } from './errors';
import { resultItems, runItem, stepItems, submittedRunItem, toItems } from './items';
import { optionalString, readArguments, readFiles, readId, readOptionalId, splitList } from './params';
import { executionCancelSignal, runItems } from './runner';
import { defaultWaitSeconds } from './tool';

export type WaitFor = 'completed' | 'running' | 'nothing';
export type OnTimeout = 'cancelAndFail' | 'fail' | 'returnLast';
export type OutputMode = 'run' | 'resultItems' | 'steps';

interface RunOptions {
	timeout?: number;
	onTimeout?: OnTimeout;
	maxPollInterval?: number;
	allInstructionsExecuted?: boolean;
	useStates?: string;
	preserveState?: string;
	noIntelligence?: boolean;
	recordSession?: boolean;
	skipGotoUrlInstruction?: boolean;
	binaryPropertyNames?: string;
	output?: OutputMode;
	includeSteps?: boolean;
	failOnRunFailure?: boolean;
	maxConcurrency?: number;
	requestTimeout?: number;
}

export const SESSION_STATES_IGNORED_HINT =
	'Witrium ignores run-level "Use States" inside a browser session: the session\'s own states apply. Give the states when creating the session instead.';

function failedStepDescription(run: RunResults): string {
	const failed = run.executions.find((step) => step.status === 'F') ?? run.executions[run.executions.length - 1];
	const parts: string[] = [];
	if (failed)
		parts.push(
			`Step ${failed.instructionOrder} "${failed.instruction}" ${statusName(failed.status)}${failed.errorMessage ? `: ${failed.errorMessage}` : ''}.`,
		);
	if (run.errorMessage && run.errorMessage !== failed?.errorMessage) parts.push(`Run error: ${run.errorMessage}.`);
	parts.push(`Run ID: ${run.runId}. Turn off "Fail on Run Failure" to output failed runs as items instead.`);
	return parts.join(' ');
}

export interface WaitRequest {
	node: INode;
	itemIndex: number;
	client: WitriumClient;
	runId: string;
	/** Known when the node started the run; otherwise read from the run's state. */
	workflowId?: string;
	/** Runs this node submitted are cancelled when the execution is stopped; others are left alone. */
	startedHere: boolean;
	until: 'completed' | 'running';
	allInstructionsExecuted: boolean;
	timeoutSeconds: number;
	onTimeout: OnTimeout;
	maxPollIntervalSeconds: number;
	failOnRunFailure: boolean;
	signal?: AbortSignal;
}

/**
 * Waits for a run and applies the node's policies: the timeout policy, cancelling on stop, and
 * failing (or not) on a failed run. Returns the run as the wait last saw it.
 */
export async function waitForRunWithPolicies(request: WaitRequest): Promise<RunResults> {
	const { node, itemIndex, client, runId } = request;
	let run: RunResults;
	try {
		run = await client.waitForRun(runId, {
			until: request.until,
			allInstructionsExecuted: request.allInstructionsExecuted,
			timeoutMs: request.timeoutSeconds > 0 ? request.timeoutSeconds * 1000 : undefined,
			maxPollIntervalMs: request.maxPollIntervalSeconds * 1000,
			// A run this node just started: its workflow's earlier runs forecast its end from the first poll.
			workflowId: request.startedHere ? request.workflowId : undefined,
			signal: request.signal,
		});
	} catch (error) {
		if (error instanceof RunStatusError) {
			run = error.run;
		} else if (error instanceof WaitTimeoutError) {
			const last = error.lastRun;
			const workflowId = last?.workflowId ?? request.workflowId ?? 'unknown';
			if (request.onTimeout === 'returnLast' && last) return last;
			const cancelled = request.onTimeout === 'cancelAndFail' && (await cancelQuietly(client, runId));
			const lastStatus = last ? `${statusName(last.status)} (${last.status})` : 'unknown';
			// Said in the message itself: an error output item carries the message only.
			const cancelFailed = request.onTimeout === 'cancelAndFail' && !cancelled ? '; cancelling it failed, so it may still be going' : '';
			throw new NodeOperationError(
				node,
				`Run ${runId} of workflow ${workflowId} did not reach "${request.until}" ${request.timeoutSeconds > 0 ? `within ${request.timeoutSeconds} s` : 'while it showed a status code this node does not know'} (last status: ${lastStatus}, last step: ${describeLastStep(last) ?? 'none yet'})${cancelFailed}`,
				{
					itemIndex,
					description: cancelled
						? 'The run was cancelled. Raise "Timeout" if the workflow needs longer.'
						: request.onTimeout === 'cancelAndFail'
							? 'Cancelling the run failed: it may still be going. Cancel it with the Cancel Run node.'
							: `The run is still going. Use the Run Workflow node's "Wait for Run" operation with run ID ${runId} to pick it up, or raise "Timeout".`,
				},
			);
		} else {
			// The node is giving up on a run it started: leave nothing running behind it.
			if (request.startedHere) await cancelQuietly(client, runId);
			if (error instanceof WaitAbortedError) {
				throw new NodeOperationError(node, `The execution was stopped while waiting for run ${runId}`, {
					itemIndex,
					description: request.startedHere ? 'The run was cancelled.' : 'The run was left as it was.',
				});
			}
			throw error;
		}
	}
	if (request.failOnRunFailure) failIfRunFailed(node, itemIndex, run);
	return run;
}

/** Fail on Run Failure: a run that ended other than completed is an error of its item; a run still going is not. */
function failIfRunFailed(node: INode, itemIndex: number, run: RunResults): void {
	if (isRunOver(run) && run.status !== 'C') {
		throw new NodeOperationError(node, runEndedMessage(run, 'node', '', run.errorMessage), {
			itemIndex,
			description: failedStepDescription(run),
		});
	}
}

/** `readOnly`: Get Results, whose run item also says whether the run has ended (the test of a polling loop). */
function outputRun(run: RunResults, sessionId: string | null, options: RunOptions, readOnly = false): INodeExecutionData[] {
	const mode = options.output ?? 'run';
	if (mode === 'steps') return toItems(stepItems(run));
	if (mode === 'resultItems' && run.status === 'C') {
		const items = resultItems(run.result);
		if (items) return toItems(items);
	}
	const item = runItem(run, sessionId, options.includeSteps);
	return toItems([readOnly ? { ...item, finished: isRunOver(run) } : item]);
}

/** The Run Workflow node: `run`, `getResults` and `waitForRun`, each item on its own. */
export async function executeRunWorkflow(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = ctx.getNodeParameter('operation', 0) as 'run' | 'getResults' | 'waitForRun';
	const firstOptions = ctx.getNodeParameter('options', 0, {}) as RunOptions;
	const client = await witriumClient(ctx, firstOptions.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_SECONDS);
	const signal = executionCancelSignal(ctx);
	let statesIgnored = false;

	const result = await runItems(ctx, {
		maxConcurrency: firstOptions.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
		plan: (itemIndex) =>
			operation === 'run' ? { sessionId: readOptionalId(ctx, 'browserSessionId', 'Browser Session ID', itemIndex) } : {},
		handle: async (itemIndex, plan) => {
			const options = ctx.getNodeParameter('options', itemIndex, {}) as RunOptions;
			const sessionId = plan.sessionId ?? null;
			const waitFor = operation === 'getResults' ? 'nothing' : (ctx.getNodeParameter('waitFor', itemIndex, 'completed') as WaitFor);

			let runId: string;
			let workflowId: string | undefined;
			if (operation === 'run') {
				workflowId = readId(ctx, 'workflowId', 'Workflow ID', itemIndex);
				const request: RunWorkflowRequest = {
					args: readArguments(ctx, itemIndex),
					files: await readFiles(ctx, itemIndex, splitList(options.binaryPropertyNames)),
					useStates: splitList(options.useStates),
					preserveState: optionalString(options.preserveState),
					noIntelligence: options.noIntelligence || undefined,
					recordSession: options.recordSession || undefined,
					browserSessionId: plan.sessionId,
					skipGotoUrlInstruction: options.skipGotoUrlInstruction || undefined,
				};
				if (request.useStates && request.browserSessionId) statesIgnored = true;
				// Not aborted by the cancel signal: once sent, the run id is needed to cancel what it started.
				const submitted = await client.runWorkflow(workflowId, request);
				runId = submitted.runId;
				if (waitFor === 'nothing') return toItems([submittedRunItem(submitted, sessionId)]);
			} else {
				runId = readId(ctx, 'runId', 'Run ID', itemIndex);
				if (waitFor === 'nothing') {
					const run = await client.getResults(runId, { signal });
					if (options.failOnRunFailure) failIfRunFailed(ctx.getNode(), itemIndex, run);
					return outputRun(run, sessionId, options, true);
				}
			}

			const run = await waitForRunWithPolicies({
				node: ctx.getNode(),
				itemIndex,
				client,
				runId,
				workflowId,
				startedHere: operation === 'run',
				until: waitFor,
				allInstructionsExecuted: options.allInstructionsExecuted ?? false,
				timeoutSeconds: options.timeout ?? defaultWaitSeconds(ctx, DEFAULT_WAIT_SECONDS),
				// A run started elsewhere is left going unless the user picked Cancel Run and Fail.
				onTimeout: options.onTimeout ?? (operation === 'run' ? 'cancelAndFail' : 'fail'),
				maxPollIntervalSeconds: options.maxPollInterval ?? DEFAULT_MAX_POLL_INTERVAL_SECONDS,
				failOnRunFailure: options.failOnRunFailure ?? true,
				signal,
			});
			return outputRun(run, sessionId, options);
		},
	});

	if (statesIgnored && typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints({ message: SESSION_STATES_IGNORED_HINT, location: 'outputPane' });
	}
	return result;
}
