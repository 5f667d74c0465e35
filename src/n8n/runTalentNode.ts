import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { talentOutcome } from '../client';
import { witriumClient } from './clientFromCredential';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_WAIT_SECONDS } from './descriptions';
import { talentItem, toItems } from './items';
import { optionalString, readArguments, readFiles, readId, readOptionalId, splitList } from './params';
import { executionCancelSignal, runItems } from './runner';
import { defaultWaitSeconds } from './tool';
import { SESSION_STATES_IGNORED_HINT } from './runWorkflowNode';

interface TalentOptions {
	useStates?: string;
	preserveState?: string;
	binaryPropertyNames?: string;
	failOnRunFailure?: boolean;
	maxConcurrency?: number;
	requestTimeout?: number;
}

/** The Run Talent node: a synchronous run per item, so the request itself is the wait. */
export async function executeRunTalent(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const firstOptions = ctx.getNodeParameter('options', 0, {}) as TalentOptions;
	const client = await witriumClient(ctx, firstOptions.requestTimeout ?? defaultWaitSeconds(ctx, DEFAULT_WAIT_SECONDS));
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
			const talent = await client.runTalent(
				talentId,
				{
					args: readArguments(ctx, itemIndex),
					files: await readFiles(ctx, itemIndex, splitList(options.binaryPropertyNames)),
					useStates,
					preserveState: optionalString(options.preserveState),
					browserSessionId: plan.sessionId,
				},
				{ signal: executionCancelSignal(ctx) },
			);
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
