/**
 * The Witrium Trigger's logic: a polling trigger that runs a workflow on every poll (and emits
 * its result as chosen) or watches browser sessions start and close. The parts live in
 * `./trigger/`: the parameters (`config`), the state and where n8n keeps it (`state`), the poll's
 * time (`clock`), one poll at a time (`lease`), what n8n took (`emission`), the emit rules
 * (`results`), and one file per event (`workflowResult`, `sessions`).
 *
 * The activation poll (n8n runs one when it activates the workflow, and fails the activation on
 * its error) only checks the parameters and the credential and restores this process's copy of
 * the state: it sends nothing to Witrium, so activating never waits on a run nor fails because
 * of one. Manual "Fetch Test Event" never reads or writes state.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { witriumClient } from './clientFromCredential';
import { toNodeError } from './errors';
import { readSessionEvents, readWorkflowConfig, type TriggerEvent } from './trigger/config';
import { pollSessions, sampleSessions } from './trigger/sessions';
import { hostPollBudgetMs } from './trigger/clock';
import { forgetUntaken } from './trigger/emission';
import { takeLease } from './trigger/lease';
import { commitState, isActivationPoll, memoryKey, nodeState, rememberState, restoreRememberedState } from './trigger/state';
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

	const activation = isActivationPoll(ctx);
	// One poll at a time per trigger (./trigger/lease); the activation poll sends nothing and needs none.
	const release = activation ? () => undefined : takeLease(memoryKey(ctx), hostPollBudgetMs(ctx));
	if (!release) return null;
	try {
		return await pollActive(ctx, event, activation);
	} finally {
		release();
	}
}

async function pollActive(ctx: IPollFunctions, event: TriggerEvent, activation: boolean): Promise<INodeExecutionData[][] | null> {
	forgetUntaken(ctx);
	const state = nodeState(ctx);
	// n8n stores nothing after an activation poll that returns null; a staging host is asked to.
	if (restoreRememberedState(ctx, state) && activation) await commitState(ctx);
	const before = JSON.stringify(state);
	try {
		if (event === 'sessionChange') {
			const events = readSessionEvents(ctx);
			return await pollSessions(ctx, await witriumClient(ctx), state, events);
		}
		const config = readWorkflowConfig(ctx);
		const client = await witriumClient(ctx);
		return activation ? null : await pollWorkflowResult(ctx, client, config, state);
	} catch (error) {
		// Keep what this poll already changed (a run it started, a failed run it settled).
		await commitState(ctx);
		throw asNodeError(ctx.getNode(), error);
	} finally {
		rememberState(ctx, state, before);
	}
}

function asNodeError(node: INode, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const converted = toNodeError(node, error, 0);
	delete converted.context.itemIndex;
	return converted;
}
