/**
 * The adaptive polling schedule, as a pure function so it can be tested and tuned.
 *
 * Base schedule: the first poll 250 ms after the wait starts, polls every 250 ms for the
 * first ~750 ms, then each interval is a third of the time waited so far (intervals grow
 * ×1.33 per poll) up to `maxMs`. A run that ends at time T is therefore seen at most ~T/3
 * later (and never more than `maxMs` later): a 2 s run within ~0.7 s. A long run costs as
 * many requests as polling every `maxMs` would, plus ~10 spent in the first 15 s.
 *
 * Step prediction: when a running run lists steps not yet started (status `P`: evidence that
 * `executions` holds the whole plan, not only the steps reached so far) and some are completed,
 * the time per completed step so far predicts when the last one ends; if that is sooner than
 * the base schedule, the next poll goes just after the predicted end (never sooner than a
 * quarter of the base interval, so a wrong prediction costs few requests).
 */
import type { RunResults } from './types';

export const FIRST_POLL_MS = 250;
export const MIN_POLL_MS = 250;
/** Interval as a fraction of the time waited so far (1/3 → intervals grow ×1.33). */
export const POLL_GROWTH_FRACTION = 1 / 3;
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
	const steps = run.executions;
	// A list of only the steps reached so far says nothing about how many remain.
	if (!steps.some((step) => step.status === 'P')) return undefined;
	const done = steps.filter((step) => step.status === 'C').length;
	if (done === 0 || elapsedMs <= 0) return undefined;
	const total = steps.length;
	return Math.round((elapsedMs / done) * (total - done));
}
