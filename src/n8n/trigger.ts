/**
 * The Witrium Trigger's logic: a polling trigger that runs a workflow on every poll (and emits
 * its result as chosen) or watches browser sessions start and close. The parts live in
 * `./trigger/`: the parameters (`config`), the state with its revision and this process's copy
 * (`state`), what the poll context offers (`host`), the poll's time (`clock`), one poll at a time
 * (`lease`), the pure transitions (`step`) and the emit rules (`results`), and one file per event
 * (`workflowResult`, `sessions`).
 *
 * The activation poll (n8n runs one when it activates the workflow, and fails the activation on
 * its error) checks the parameters and the credential and puts back this process's copy of the
 * state when it is newer than the stored one: it sends nothing to Witrium, for either event, so
 * activating never waits on a run nor fails because of Witrium. Manual "Fetch Test Event" never
 * reads or writes state.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { witriumClient } from './clientFromCredential';
import { toNodeError } from './errors';
import { readSessionEvents, readWorkflowConfig, type TriggerEvent } from './trigger/config';
import { pollSessions, sampleSessions } from './trigger/sessions';
import { hostPollBudgetMs } from './trigger/clock';
import { commitCursor, forgetUntaken, isActivationPoll } from './trigger/host';
import { takeLease } from './trigger/lease';
import { PollState, triggerKey } from './trigger/state';
import { pollWorkflowResult, sampleWorkflowResult } from './trigger/workflowResult';

export { DEFAULT_POLL_BUDGET_MS, hostPollBudgetMs } from './trigger/clock';
export {
	DEFAULT_GIVE_UP_MINUTES,
	DEFAULT_MAX_WAIT_SECONDS,
	DEFAULT_REMEMBER_ITEMS,
	type EmitMode,
	type SessionEvent,
	type TriggerEvent,
	type TriggerOptions,
} from './trigger/config';
export { canonicalJson, fieldValue, itemKey, newElements, resultElements, stableHash } from './trigger/results';
export type { TriggerState } from './trigger/state';

/** `poll()` of the Witrium Trigger. */
export async function pollWitriumTrigger(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const event = ctx.getNodeParameter('event', 'workflowResult') as TriggerEvent;
	if (ctx.getMode() === 'manual') {
		try {
			if (event === 'sessionChange') return await sampleSessions(ctx, await witriumClient(ctx));
			const config = readWorkflowConfig(ctx);
			return await sampleWorkflowResult(ctx, await witriumClient(ctx), config);
		} catch (error) {
			throw asNodeError(ctx.getNode(), error);
		}
	}

	try {
		if (isActivationPoll(ctx)) return await activate(ctx, event);
		// One poll at a time per trigger in this process (./trigger/lease).
		const release = takeLease(triggerKey(ctx), hostPollBudgetMs(ctx));
		if (!release) return null;
		try {
			forgetUntaken(ctx);
			const poll = new PollState(ctx);
			if (event === 'sessionChange') return await pollSessions(ctx, await witriumClient(ctx), poll, readSessionEvents(ctx));
			const config = readWorkflowConfig(ctx);
			return await pollWorkflowResult(ctx, await witriumClient(ctx), config, poll);
		} finally {
			release();
		}
	} catch (error) {
		throw asNodeError(ctx.getNode(), error);
	}
}

/** The activation poll: checks the parameters and the credential, and puts back this process's copy of the state. */
async function activate(ctx: IPollFunctions, event: TriggerEvent): Promise<null> {
	if (event === 'sessionChange') readSessionEvents(ctx);
	else readWorkflowConfig(ctx);
	await witriumClient(ctx);
	// n8n stores the active workflow's static data after the activation; a staging host is asked to.
	if (new PollState(ctx).restored) await commitCursor(ctx);
	return null;
}

function asNodeError(node: INode, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const converted = toNodeError(node, error, 0);
	delete converted.context.itemIndex;
	return converted;
}
