/**
 * What n8n took. A poll's items are emitted only when n8n passes them to the poll context's
 * `__emit`: n8n 2.x drops the items of a poll whose workflow was saved, published or
 * deactivated while it ran (PollTriggerExecutor's `isCurrent` check), and says so to no one.
 * So what settling a run changes in the state (the last hash, the seen keys, the run settled)
 * is applied when n8n takes the items, and a dropped result is settled again or compared
 * against the last result n8n did take.
 *
 * n8n offers no event for it: the context's `__emit` is wrapped (n8n calls it right after the
 * poll returns, before it stores static data). A host whose `__emit` cannot be wrapped gets
 * the changes at once, as before.
 */
import type { IPollFunctions } from 'n8n-workflow';

type Emit = (...args: unknown[]) => unknown;

/** Per poll context: the changes waiting for n8n to take the last poll's items. */
const waiting = new WeakMap<object, () => void>();
const wrapped = new WeakSet<object>();

function wrapEmit(ctx: IPollFunctions): boolean {
	if (wrapped.has(ctx)) return true;
	const host = ctx as unknown as { __emit?: unknown };
	const emit = host.__emit;
	if (typeof emit !== 'function') return false;
	const onEmit: Emit = function (this: unknown, ...args: unknown[]) {
		const apply = waiting.get(ctx);
		waiting.delete(ctx);
		apply?.();
		return (emit as Emit).apply(this, args);
	};
	if (!Reflect.set(host, '__emit', onEmit) || host.__emit !== onEmit) return false;
	wrapped.add(ctx);
	return true;
}

/** Runs `apply` when n8n takes this poll's items (at once where that cannot be seen). */
export function applyWhenTaken(ctx: IPollFunctions, apply: () => void): void {
	if (wrapEmit(ctx)) waiting.set(ctx, apply);
	else apply();
}

/** A poll begins: changes of an earlier poll on this context that n8n never took are dropped. */
export function forgetUntaken(ctx: IPollFunctions): void {
	waiting.delete(ctx);
}
