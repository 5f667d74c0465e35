/**
 * The adaptive polling schedule, as a pure function so it can be tested and tuned.
 *
 * Base schedule: the first poll 250 ms after the wait starts, polls every 250 ms for the
 * first half second, then each interval is half the time waited so far (the interval grows
 * ×1.5 per poll) up to `maxMs`. A run that ends at time T is therefore seen at most ~T/2
 * later (and never more than `maxMs` later), while a long run costs about as many requests
 * as polling every `maxMs` would plus ~8.
 *
 * Step prediction: when a running run lists its steps and some but not all are completed,
 * the time per completed step so far predicts when the last one ends; if that is sooner than
 * the base schedule, the next poll goes just after the predicted end (never sooner than a
 * quarter of the base interval, so a wrong prediction costs few requests).
 */
import type { RunResults } from './types';

export const FIRST_POLL_MS = 250;
export const MIN_POLL_MS = 250;
/** Interval as a fraction of the time waited so far (0.5 → intervals grow ×1.5). */
export const POLL_GROWTH_FRACTION = 0.5;
export const DEFAULT_MAX_POLL_INTERVAL_MS = 5000;
/** Poll this long after the predicted end of the last step. */
export const PREDICTION_MARGIN_MS = 100;

/**
 * Milliseconds to sleep before the next poll.
 * @param attempt polls made so far (0 before the first poll)
 * @param elapsedMs time since the wait started
 * @param maxMs upper bound of an interval
 * @param run the last state seen, if any
 */
export function nextPollDelay(attempt: number, elapsedMs: number, maxMs: number, run?: RunResults): number {
	const cap = Math.max(MIN_POLL_MS, maxMs);
	if (attempt <= 0) return Math.min(FIRST_POLL_MS, cap);
	const base = Math.min(cap, Math.max(MIN_POLL_MS, Math.round(elapsedMs * POLL_GROWTH_FRACTION)));
	const predicted = predictRemainingMs(elapsedMs, run);
	if (predicted === undefined) return base;
	const floor = Math.max(MIN_POLL_MS, Math.round(base / 4));
	return Math.min(base, Math.max(floor, predicted + PREDICTION_MARGIN_MS));
}

/**
 * Time until the last step is predicted to complete, from the steps completed so far, or
 * undefined when the run does not show partial progress.
 */
export function predictRemainingMs(elapsedMs: number, run?: RunResults): number | undefined {
	if (!run || run.status !== 'R' || !Array.isArray(run.executions)) return undefined;
	const total = run.executions.length;
	const done = run.executions.filter((step) => step.status === 'C').length;
	if (done === 0 || done >= total || elapsedMs <= 0) return undefined;
	return Math.round((elapsedMs / done) * (total - done));
}
