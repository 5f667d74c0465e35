import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executionCancelSignal } from './runner';

/**
 * How the action nodes behave when an AI Agent calls them as tools. n8n offers every
 * `usableAsTool` node as `<type>Tool`, describes it to the model with the node's `description`
 * (n8n 2.40 ignores `usableAsTool.replacements` when it runs a tool, so there is one text for
 * both), and runs the node's own `execute()` for a tool call: on n8n 2.x as an ordinary node
 * execution whose input item is the agent's item plus the model's arguments, on 1.x in a
 * sub-node context. Either way the node's type name ends in `Tool`: that is how a call is
 * recognised. n8n sends the model `JSON.stringify([item.json, ...])`; an error reaches it as
 * its message alone on 2.x, and as an empty answer on 1.x (the agent's executor drops thrown
 * tool errors), so a tool call never throws: it answers `{ error }` saying what to fix.
 */

/** Longest a tool call waits for a run when the node's own timeout is not set: a chat is waiting. */
export const TOOL_WAIT_SECONDS = 300;

/** Most characters of JSON a tool call answers with, about 5,000 tokens. */
export const TOOL_OUTPUT_LIMIT = 20_000;

export function isToolCall(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/** The wait bound when the user set none: the node's default, shorter when an agent waits. */
export function defaultWaitSeconds(ctx: Pick<IExecuteFunctions, 'getNode'>, nodeDefault: number): number {
	return isToolCall(ctx) ? TOOL_WAIT_SECONDS : nodeDefault;
}

const withoutNulls = (json: IDataObject): IDataObject =>
	Object.fromEntries(Object.entries(json).filter(([, value]) => value !== null && value !== undefined));

/** What a model can use of an item: no empty fields, no format tag, the status by name only. */
function forModel(json: IDataObject): IDataObject {
	const { resultFormat: _format, ...rest } = withoutNulls(json);
	if ('statusName' in rest) delete rest.status;
	return rest;
}

const jsonLength = (value: unknown): number => JSON.stringify(value)?.length ?? 0;

/** Room kept for the note that says what was cut. */
const NOTE_ROOM = 400;

function cutResult(result: unknown, room: number, total: number): IDataObject {
	if (Array.isArray(result)) {
		const kept: unknown[] = [];
		let used = 2;
		for (const element of result) {
			used += jsonLength(element) + 1;
			if (used > room) break;
			kept.push(element);
		}
		return {
			result: kept as IDataObject[],
			truncated: `The result has ${result.length} entries (${total} characters of JSON); the first ${kept.length} are shown, as a tool answers with at most ${TOOL_OUTPUT_LIMIT} characters.`,
		};
	}
	const text = JSON.stringify(result);
	return {
		result: text.slice(0, Math.max(room, 0)),
		truncated: `The result is ${text.length} characters of JSON; "result" holds its first ${Math.max(room, 0)} as text, as a tool answers with at most ${TOOL_OUTPUT_LIMIT} characters.`,
	};
}

/** Bounds a tool's answer to TOOL_OUTPUT_LIMIT characters of JSON, saying what was left out. */
export function boundToolOutput(items: IDataObject[], limit = TOOL_OUTPUT_LIMIT): IDataObject[] {
	const total = jsonLength(items);
	if (total <= limit) return items;
	if (items.length === 1 && items[0].result !== undefined) {
		const { result, ...rest } = items[0];
		return [{ ...rest, ...cutResult(result, limit - jsonLength(rest) - NOTE_ROOM, jsonLength(result)) }];
	}
	const kept: IDataObject[] = [];
	let used = 2;
	for (const item of items) {
		used += jsonLength(item) + 1;
		if (used > limit - NOTE_ROOM) break;
		kept.push(item);
	}
	return [
		...kept,
		{
			truncated: `Showing ${kept.length} of ${items.length} items (${total} characters of JSON), as a tool answers with at most ${limit} characters.`,
		},
	];
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
		return [[{ json: { error: describeForModel(error) }, pairedItem: { item: 0 } }]];
	}
}
