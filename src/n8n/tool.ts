import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executionCancelSignal } from './runner';
import { boundToolOutput } from './toolOutput';

/**
 * How the action nodes behave when an AI Agent calls them as tools. n8n offers every
 * `usableAsTool` node as `<type>Tool`, describes it to the model with its `toolDescription`
 * parameter (each node declares its own text for the model, toolDescriptionProperty, as n8n 2.40
 * ignores `usableAsTool.replacements` when it runs a tool; the panel keeps the node's
 * `description` for people), and runs the node's own `execute()` for a tool call: on n8n 2.x
 * as an ordinary node execution whose input item is the agent's item plus the model's
 * arguments, on 1.x in a sub-node context. Either way the node's type name ends in `Tool`:
 * that is how a call is recognised. n8n sends the model `JSON.stringify([item.json, ...])`; an
 * error reaches it as its message alone on 2.x, and as an empty answer on 1.x (the agent's
 * executor drops thrown tool errors), so a tool call never throws: it answers `{ error }`
 * saying what to fix.
 */

/** Longest a tool call waits for a run when the node's own timeout is not set: a chat is waiting. */
export const TOOL_WAIT_SECONDS = 300;

export function isToolCall(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/** The wait bound when the user set none: the node's default, shorter when an agent waits. */
export function defaultWaitSeconds(ctx: Pick<IExecuteFunctions, 'getNode'>, nodeDefault: number): number {
	return isToolCall(ctx) ? TOOL_WAIT_SECONDS : nodeDefault;
}

const withoutNulls = (json: IDataObject): IDataObject =>
	Object.fromEntries(Object.entries(json).filter(([, value]) => value !== null && value !== undefined));

/** What a model can use of an item: no empty fields, no format tag, the status by name only (a code without a name stays). */
function forModel(json: IDataObject): IDataObject {
	const { resultFormat: _format, ...rest } = withoutNulls(json);
	if ('statusName' in rest && rest.statusName !== 'unknown') delete rest.status;
	return rest;
}

/** An error as one readable text: what went wrong, then what to do about it. */
export function describeForModel(error: unknown): string {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		return error.description && !error.message.includes(error.description) ? `${error.message}. ${error.description}` : error.message;
	}
	return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a node's execute; when an agent calls it as a tool, sizes the answer for the model and
 * answers errors as `{ error }` (unless the node is set to stop the workflow on error, or the
 * execution was stopped).
 */
export async function executeNodeOrTool(
	ctx: IExecuteFunctions,
	execute: (ctx: IExecuteFunctions) => Promise<INodeExecutionData[][]>,
): Promise<INodeExecutionData[][]> {
	if (!isToolCall(ctx)) return await execute(ctx);
	try {
		const [items = []] = await execute(ctx);
		const answer = boundToolOutput(items.map((item) => forModel(item.json)));
		return [answer.map((json) => ({ json, pairedItem: { item: 0 } }))];
	} catch (error) {
		if (ctx.getNode().onError === 'stopWorkflow' || executionCancelSignal(ctx)?.aborted) throw error;
		return [boundToolOutput([{ error: describeForModel(error) }]).map((json) => ({ json, pairedItem: { item: 0 } }))];
	}
}
