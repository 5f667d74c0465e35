import type { IExecuteFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { toNodeError } from './errors';

/** What handling one item produced: output items (pairedItem is added by the runner). */
export type ItemOutput = INodeExecutionData[];

export interface ItemPlan {
	/** Items naming the same session run one after another, in item order. */
	sessionId?: string;
}

export interface RunItemsOptions {
	maxConcurrency: number;
	/** Reads what the scheduler needs to know of an item; a throw is that item's error. */
	plan: (itemIndex: number) => ItemPlan;
	handle: (itemIndex: number, plan: ItemPlan) => Promise<ItemOutput>;
}

/** The execution's cancel signal, where the host has one (older n8n versions do not). */
export function executionCancelSignal(ctx: IExecuteFunctions): AbortSignal | undefined {
	return typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
}

/**
 * Runs every input item, at most `maxConcurrency` at once, never two items of one browser
 * session at once, and returns the output in input order. With Continue On Fail, one item's
 * failure never stops the others. Without it, as n8n's own nodes do, no item starts after the
 * first failure: the items already running finish (so no run they started is left going), then
 * the first failure is thrown. A re-run then repeats only what had started.
 */
export async function runItems(ctx: IExecuteFunctions, options: RunItemsOptions): Promise<INodeExecutionData[][]> {
	const itemCount = ctx.getInputData().length;
	const continueOnFail = ctx.continueOnFail();
	const outputs: Array<ItemOutput | undefined> = new Array(itemCount);
	const errors: Array<NodeApiError | NodeOperationError | undefined> = new Array(itemCount);
	let firstError: NodeApiError | NodeOperationError | undefined;
	const fail = (itemIndex: number, error: unknown) => {
		errors[itemIndex] = toNodeError(ctx.getNode(), error, itemIndex);
		firstError ??= errors[itemIndex];
	};
	const signal = executionCancelSignal(ctx);

	// An item's plan is read when its turn comes, so a bad item stops only the items after it.
	const waiting: Array<{ itemIndex: number; plan?: ItemPlan }> = Array.from({ length: itemCount }, (_, itemIndex) => ({ itemIndex }));
	const limit = Math.max(1, Math.floor(options.maxConcurrency) || 1);
	const busySessions = new Set<string>();
	let running = 0;

	await new Promise<void>((resolveAll) => {
		const startEligible = () => {
			if (firstError && !continueOnFail) waiting.length = 0;
			for (let position = 0; position < waiting.length && running < limit;) {
				const entry = waiting[position];
				if (signal?.aborted) {
					// The execution was stopped: items not started yet are not started at all.
					fail(entry.itemIndex, new Error('The execution was stopped before this item started'));
					waiting.splice(position, 1);
					continue;
				}
				if (!entry.plan) {
					try {
						entry.plan = options.plan(entry.itemIndex);
					} catch (error) {
						fail(entry.itemIndex, error);
						waiting.splice(position, 1);
						if (!continueOnFail) waiting.length = 0;
						continue;
					}
				}
				const { itemIndex, plan } = entry;
				if (plan.sessionId !== undefined && busySessions.has(plan.sessionId)) {
					position++;
					continue;
				}
				waiting.splice(position, 1);
				running++;
				if (plan.sessionId !== undefined) busySessions.add(plan.sessionId);
				options
					.handle(itemIndex, plan)
					.then(
						(output) => {
							outputs[itemIndex] = output;
						},
						(error: unknown) => fail(itemIndex, error),
					)
					.finally(() => {
						running--;
						if (plan.sessionId !== undefined) busySessions.delete(plan.sessionId);
						startEligible();
					});
			}
			if (running === 0 && waiting.length === 0) resolveAll();
		};
		startEligible();
	});

	if (firstError && !continueOnFail) throw firstError;

	const result: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const error = errors[itemIndex];
		if (error) {
			// `{ error }` alone, as n8n's own nodes do: every n8n version routes such an item to the
			// error output and merges in the input item's fields (so a Close Session on the error
			// branch still finds `$json.browserSessionId`). n8n 1.x routes no other key set, and setting the
			// error object on the item makes n8n 2.x drop the input item's fields.
			result.push({ json: { error: error.message }, pairedItem: { item: itemIndex } });
			continue;
		}
		for (const item of outputs[itemIndex] ?? []) {
			result.push({ ...item, pairedItem: { item: itemIndex } });
		}
	}
	return [result];
}
