/** Retry policy: whether a failed attempt is sent again and after how long, and whether it may have started work. */
import type { AttemptFailure, StartsWork } from './failure';

/** The least time left before a deadline that is still worth an attempt. */
export const MIN_ATTEMPT_MS = 500;

export interface RetryPolicy {
	maxRetries: number;
	retryBaseDelayMs: number;
	retryMaxDelayMs: number;
}

/**
 * Can this failed request have started a run, talent or session on the service? Then sending it
 * again could start it twice. Only a request that never left this machine, or that the service
 * saw and refused (a 4xx other than 408, a redirect), provably started nothing.
 */
export function mayHaveStarted(failure: AttemptFailure): boolean {
	if (!failure.delivered) return false;
	if (failure.kind === 'redirect') return false;
	return !(failure.kind === 'http' && failure.status !== undefined && failure.status < 500 && failure.status !== 408);
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined: do not retry, fail now. The rules,
 * in order: only a transient condition is retried; a request that starts work only when it cannot
 * have started it (so 429, a 404 not from Witrium, and connections never made: the rule users read
 * in docs/waits.md#retries); at most `maxRetries` times; a
 * Retry-After beyond what one retry may wait is obeyed, not cut short (the error says when to try
 * again); never sleeping past the caller's deadline, but a random backoff that would is cut short
 * to leave one last attempt its MIN_ATTEMPT_MS (a best-effort cancel gets its retries in its 5 s).
 */
export function retryDelay(
	failure: AttemptFailure,
	attempt: number,
	req: { startsWork?: StartsWork; deadlineAt?: number },
	policy: RetryPolicy,
): number | undefined {
	if (!failure.transient) return undefined;
	if (req.startsWork && mayHaveStarted(failure)) return undefined;
	if (attempt >= Math.max(0, policy.maxRetries)) return undefined;
	let delay = backoffDelay(attempt, policy.retryBaseDelayMs, policy.retryMaxDelayMs);
	if (failure.retryAfterMs !== undefined) {
		if (failure.retryAfterMs > policy.retryMaxDelayMs) return undefined;
		delay = Math.max(delay, failure.retryAfterMs);
	}
	if (req.deadlineAt !== undefined) {
		const spare = req.deadlineAt - Date.now() - MIN_ATTEMPT_MS;
		if (failure.retryAfterMs === undefined) delay = Math.min(delay, spare);
		if (delay < 0 || delay > spare) return undefined;
	}
	return delay;
}

/** Full jitter: a random delay in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
	return Math.floor(random() * ceiling);
}

/** The longest delay a Node timer holds (about 24.8 days); a longer one would fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Parses a Retry-After header (delta seconds or HTTP date) into milliseconds, or undefined. A value
 * no timer can hold (a Unix timestamp sent as delta seconds, say) is a mistake, not a request to
 * wait for years: it is ignored, and the usual backoff applies.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	if (header === undefined) return undefined;
	const text = header.trim();
	let ms: number;
	if (/^\d+(\.\d+)?$/.test(text)) ms = Math.ceil(Number(text) * 1000);
	else {
		const date = Date.parse(text);
		if (Number.isNaN(date)) return undefined;
		ms = Math.max(0, date - now);
	}
	return ms <= MAX_TIMER_MS ? ms : undefined;
}
