/** How long one poll may take: n8n's poll budget, Max Wait, and reads bounded by what is left. */
import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { WitriumApiError } from '../../client';
import type { CallOptions } from '../../client';

/** Budget assumed when the host has no `getPollBudgetMs` (n8n 1.x). */
export const DEFAULT_POLL_BUDGET_MS = 45_000;
/** Kept free at the end of the budget for the hand-off and the state commit. */
const MIN_MARGIN_MS = 100;
const MAX_MARGIN_MS = 5000;
/** Floor of one HTTP request's timeout, however little budget is left. */
const MIN_REQUEST_TIMEOUT_MS = 250;
/**
 * Kept for starting a run (a quarter of the budget, at most 10 s): waiting for the previous run
 * ends that much earlier, and a poll with less left starts nothing. The start itself runs under
 * the client's own request timeout, never the poll's deadline: a start cut short after it was
 * sent may have started a run whose id never arrives.
 */
const MAX_START_RESERVE_MS = 10_000;

/** The poll budget n8n gives this poll, or a safe default on hosts that do not say. */
export function hostPollBudgetMs(ctx: object): number {
	const host = ctx as { getPollBudgetMs?: unknown };
	if (typeof host.getPollBudgetMs !== 'function') return DEFAULT_POLL_BUDGET_MS;
	const budget: unknown = (host.getPollBudgetMs as () => unknown).call(ctx);
	return typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
}

/** The time one poll may spend: the host's budget (or Max Wait, if less) minus a margin. */
export class PollClock {
	readonly deadline: number;
	readonly budgetMs: number;
	readonly startReserveMs: number;

	constructor(hostBudgetMs: number, maxWaitMs: number) {
		this.budgetMs = Math.min(hostBudgetMs, maxWaitMs > 0 ? maxWaitMs : hostBudgetMs);
		const margin = Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, this.budgetMs * 0.1));
		this.deadline = Date.now() + Math.max(0, this.budgetMs - margin);
		this.startReserveMs = Math.min(MAX_START_RESERVE_MS, this.budgetMs / 4);
	}

	/** Time left, less `keepMs` kept for what comes after. */
	remaining(keepMs = 0): number {
		return Math.max(0, this.deadline - keepMs - Date.now());
	}

	/** Whether the reserve for a start is still there. */
	canStart(): boolean {
		return this.remaining() >= this.startReserveMs;
	}

	/** A timeout for one request: what is left (less `keepMs`), but never less than a floor. */
	requestTimeout(keepMs = 0): number {
		return Math.max(MIN_REQUEST_TIMEOUT_MS, this.remaining(keepMs));
	}
}

/**
 * A read (retries included) bounded by what is left of the poll's time. Reads only: a request
 * that starts a run is never bounded by the poll, as its run id is needed to pick the run up.
 */
export async function readWithin<T>(
	node: INode,
	clock: PollClock,
	what: string,
	read: (call: CallOptions) => Promise<T>,
	keepMs = 0,
): Promise<T> {
	const signal = AbortSignal.timeout(clock.requestTimeout(keepMs));
	try {
		return await read({ signal, timeoutMs: clock.requestTimeout(keepMs) });
	} catch (error) {
		if (error instanceof WitriumApiError && error.kind === 'aborted' && signal.aborted) {
			throw new NodeOperationError(node, `Witrium did not answer ${what} within the time this poll has`, {
				description: `Witrium is slow or unreachable right now (${error.endpoint}). The trigger keeps its state; the next poll tries again.`,
			});
		}
		throw error;
	}
}
