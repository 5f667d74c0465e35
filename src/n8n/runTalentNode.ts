import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { WitriumApiError, talentOutcome } from '../client';
import { witriumClient } from './clientFromCredential';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_WAIT_SECONDS } from './descriptions';
import { talentItem, toItems } from './items';
import { optionalString, readArguments, readFiles, readId, readOptionalId, splitList } from './params';
import { executionCancelSignal, runItems } from './runner';
import { isToolCall } from './tool';
import { SESSION_STATES_IGNORED_HINT } from './runWorkflowNode';

interface TalentOptions {
	useStates?: string;
	preserveState?: string;
	binaryPropertyNames?: string;
	failOnRunFailure?: boolean;
	maxConcurrency?: number;
	requestTimeout?: number;
}

/**
 * How long Run Talent waits for its answer, as a tool too: a talent cannot be cancelled or looked
 * up later, so a shorter wait would not stop it, only invite the model to start it again.
 */
export function talentWaitSeconds(options: TalentOptions): number {
	return options.requestTimeout ?? DEFAULT_WAIT_SECONDS;
}

/** No answer, but the talent may be running: say so, and that running the item again starts another. */
function noAnswerError(ctx: IExecuteFunctions, talentId: string, waitSeconds: number, error: WitriumApiError, itemIndex: number) {
	const why = error.kind === 'timeout' ? `within ${waitSeconds} s` : `(${error.message})`;
	const description = isToolCall(ctx)
		? 'Its result cannot be fetched later. Do not call this tool again for the same request unless the user asks to: that starts a second talent run. Tell the user it may still be running.'
		: 'A talent cannot be cancelled or looked up through the API: check the Witrium dashboard before running this item again (that starts another talent run). If the talent takes this long, raise Timeout.';
	return new NodeOperationError(
		ctx.getNode(),
		`Talent ${talentId} gave no answer ${why}; it may have started and still be running in Witrium`,
		{
			itemIndex,
			description,
		},
	);
}

/** The Run Talent node: a synchronous run per item, so the request itself is the wait. */
export async function executeRunTalent(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const firstOptions = ctx.getNodeParameter('options', 0, {}) as TalentOptions;
	const waitSeconds = talentWaitSeconds(firstOptions);
	const client = await witriumClient(ctx, waitSeconds);
	const signal = executionCancelSignal(ctx);
	let statesIgnored = false;

	const result = await runItems(ctx, {
		maxConcurrency: firstOptions.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
		plan: (itemIndex) => ({ sessionId: readOptionalId(ctx, 'browserSessionId', 'Browser Session ID', itemIndex) }),
		handle: async (itemIndex, plan) => {
			const options = ctx.getNodeParameter('options', itemIndex, {}) as TalentOptions;
			const talentId = readId(ctx, 'talentId', 'Talent ID', itemIndex);
			const useStates = splitList(options.useStates);
			if (useStates && plan.sessionId) statesIgnored = true;
			// Stopping the execution stops waiting for the answer; the API has no way to cancel a talent itself.
			const request = {
				args: readArguments(ctx, itemIndex),
				files: await readFiles(ctx, itemIndex, splitList(options.binaryPropertyNames)),
				useStates,
				preserveState: optionalString(options.preserveState),
				browserSessionId: plan.sessionId,
			};
			const talent = await client.runTalent(talentId, request, { signal }).catch((error: unknown) => {
				if (error instanceof WitriumApiError && error.mayHaveStarted && !signal?.aborted)
					throw noAnswerError(ctx, talentId, waitSeconds, error, itemIndex);
				throw error;
			});
			const item = talentItem(talentId, talent, plan.sessionId ?? null);
			if ((options.failOnRunFailure ?? true) && talentOutcome(talent.status) === 'failure') {
				throw new NodeOperationError(
					ctx.getNode(),
					`Talent ${talentId} ended ${talent.status}${talent.errorMessage ? `: ${talent.errorMessage}` : ''}`,
					{
						itemIndex,
						description: `${talent.message ? `Witrium said: ${talent.message}. ` : ''}Turn off "Fail on Run Failure" to output failed talent runs as items instead.`,
					},
				);
			}
			return toItems([item]);
		},
	});

	if (statesIgnored && typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints({ message: SESSION_STATES_IGNORED_HINT, location: 'outputPane' });
	}
	return result;
}
