/** Retry policy: whether a failed attempt is sent again and after how long, and whether it may have started work. */
import type { AttemptFailure, StartsWork } from './failure';

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
 * have started it (so 429 and connections that were never made); at most `maxRetries` times; a
 * Retry-After beyond what one retry may wait is obeyed, not cut short (the error says when to try
 * again); never sleeping past the caller's deadline.
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
	if (req.deadlineAt !== undefined && Date.now() + delay >= req.deadlineAt) return undefined;
	return delay;
}

/** Full jitter: a random delay in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
	return Math.floor(random() * ceiling);
}

/** Parses a Retry-After header (delta seconds or HTTP date) into milliseconds, or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	if (header === undefined) return undefined;
	const text = header.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}
