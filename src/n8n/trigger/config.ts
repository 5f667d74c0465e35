/** The trigger's parameters, read once per poll. */
import { NodeOperationError } from 'n8n-workflow';
import type { IPollFunctions } from 'n8n-workflow';

import type { RunWorkflowRequest } from '../../client';
import { readArguments, readId, splitList, type ParameterSource } from '../params';

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

export const DEFAULT_MAX_WAIT_SECONDS = 45;
export const DEFAULT_GIVE_UP_MINUTES = 60;
export const DEFAULT_REMEMBER_ITEMS = 1000;

export interface WorkflowConfig {
	workflowId: string;
	request: RunWorkflowRequest;
	emit: EmitMode;
	dedupeField: string | undefined;
	failOnRunFailure: boolean;
	maxWaitMs: number;
	giveUpAfterMs: number;
	rememberItems: number;
}

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

export function readWorkflowConfig(ctx: IPollFunctions): WorkflowConfig {
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

export function readSessionEvents(ctx: IPollFunctions): Set<SessionEvent> {
	const chosen = ctx.getNodeParameter('sessionEvents', ['started', 'closed']) as SessionEvent[];
	if (!Array.isArray(chosen) || chosen.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No session event is chosen', {
			description: 'Pick "Started", "Closed" or both under "Session Events".',
		});
	}
	return new Set(chosen);
}
