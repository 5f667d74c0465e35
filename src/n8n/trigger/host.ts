/**
 * What the poll context offers, read from the context itself: whether this is the activation's
 * poll, the cursor commit (`__commitCursor`), and the hand-over of items (`__emit`).
 *
 * Marks are kept on the context object (symbol properties), never in a registry: they go when
 * n8n drops the context.
 */
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

/** What PollContext reports when the host does not bound the poll (n8n-core 2.x's default). */
const UNBOUNDED_BUDGET_MS = 5 * 60_000;

const POLLED = Symbol('witriumTrigger.polled');
const ON_TAKEN = Symbol('witriumTrigger.onTaken');

type Marked = { [POLLED]?: true; [ON_TAKEN]?: (() => void) | undefined; __emit?: unknown; __commitCursor?: unknown };

/**
 * Whether this is the poll n8n runs when it activates the workflow. Both lines build a poll
 * context per activation, run the activation poll on it first and every later poll on the same
 * context (ActiveWorkflowTriggers.activatePollTrigger); the durable scheduler builds a context per
 * tick and bounds it (`getPollBudgetMs`), while the activation's context is unbounded. So: the
 * first poll on a context that the host does not bound. (A scheduler poll timeout of exactly
 * 375 s gives a bound equal to the unbounded default; docs/trigger.md says to avoid it.)
 */
export function isActivationPoll(ctx: IPollFunctions): boolean {
	const marked = ctx as unknown as Marked;
	const first = marked[POLLED] !== true;
	marked[POLLED] = true;
	if (!first) return false;
	const budget = (ctx as { getPollBudgetMs?: () => unknown }).getPollBudgetMs?.call(ctx);
	return budget === undefined || budget === UNBOUNDED_BUDGET_MS;
}

/** Asks the host to store the poll's state now, where it stages state (2.x durable cursors); a no-op elsewhere. */
export async function commitCursor(ctx: IPollFunctions): Promise<void> {
	const commit = (ctx as unknown as Marked).__commitCursor;
	if (typeof commit !== 'function') return;
	try {
		await (commit as () => Promise<void>).call(ctx);
	} catch (error) {
		ctx.logger.warn(
			`Witrium Trigger: n8n could not store the trigger's state now (${(error as Error).message}); this process keeps its copy`,
		);
	}
}

/** A poll begins: what an earlier poll on this context left for n8n to take and n8n never took is dropped. */
export function forgetUntaken(ctx: IPollFunctions): void {
	const host = ctx as unknown as Marked;
	if (ON_TAKEN in host) host[ON_TAKEN] = undefined;
}

/**
 * The poll's items, with `onTaken` run when n8n takes them: n8n passes them to the context's
 * `__emit` right after the poll returns, unless it drops them (2.x drops a poll's items when the
 * workflow was published or deactivated meanwhile). `__emit` is wrapped once per context; where
 * it cannot be wrapped, `onTaken` runs at once.
 */
export function handOver(ctx: IPollFunctions, items: INodeExecutionData[], onTaken: () => void): INodeExecutionData[][] {
	const host = ctx as unknown as Marked;
	if (!wrapEmit(host)) onTaken();
	else host[ON_TAKEN] = onTaken;
	return [items];
}

type Emit = (...args: unknown[]) => unknown;

function wrapEmit(host: Marked): boolean {
	const emit = host.__emit;
	if (typeof emit !== 'function') return false;
	if (ON_TAKEN in host) return true;
	const onEmit: Emit = function (this: unknown, ...args: unknown[]) {
		const taken = host[ON_TAKEN];
		host[ON_TAKEN] = undefined;
		taken?.();
		return (emit as Emit).apply(this, args);
	};
	if (!Reflect.set(host, '__emit', onEmit) || host.__emit !== onEmit) return false;
	host[ON_TAKEN] = undefined;
	return true;
}
