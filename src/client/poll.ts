/**
 * The adaptive polling schedule, as a pure function so it can be tested and tuned.
 *
 * Principle: how late a finished run is seen should grow with how long the run has taken,
 * not be a flat 5 s. Being 4 s late on a 3 s run more than doubles its time; 4 s on a
 * 10-minute run is noise. So the interval is a fraction of the time waited so far (the
 * "age"), and the requests a young run costs are paid back by polling old runs less often.
 *
 * Base schedule, for a workflow not seen before (`maxMs` is the caller's ceiling, never below 250 ms):
 * - the first poll 250 ms after the wait starts (so "wait until running" answers quickly);
 * - if that poll finds the run already running, its browser was up at once (a warm session, a
 *   fast service): such a run may be over within a second, so one more poll comes 250 ms
 *   later. A run still pending is booting its browser and cannot end that soon. This costs
 *   one request, only for runs that started at once;
 * - then every 0.35 × age, but at least 1 s apart: a run is seen at most ~35 % of its
 *   duration late, and at most ~1 s late when it takes under ~3 s;
 * - a ceiling that relaxes with age: 2.5 s while the run is young, then 0.3 × age, but at
 *   most 4.5 s (1 % of the age from 7.5 min on), up to `maxMs`. Without knowing when a run
 *   will end, a long run is seen about as soon as a 5 s poller sees it, for about as many
 *   requests; an hour-long one for fewer.
 *   interval = min(maxMs, max(1 s, 0.35 × age), max(2.5 s, 0.3 × age), max(4.5 s, 0.01 × age))
 *
 * Forecast (history.ts): the same workflow runs again and again, and its recent runs say in
 * which window the next one will end. Before the window the wait polls every `maxMs` (10 s
 * by default in the node), closing in on the window's start by halving the time left; inside
 * it, every third of its width (at most 1.75 s); after it, the interval grows back to the base
 * schedule. So a repeated run is seen within ~1 s of its end, and a long one for fewer requests
 * than a 5 s poller spends. A run much shorter than forecast is seen at most one `maxMs` late;
 * one much longer, as the base schedule sees it. A wrong forecast never floods the service
 * (dense polls only inside the window, which is never wider than half the forecast end or 2 s;
 * a workflow that varies more gets no forecast) nor misses an end.
 *
 * Step prediction: when a running run lists steps not yet started (status `P`: evidence that
 * `executions` holds the whole plan, not only the steps reached so far) and some are completed,
 * the time per completed step so far predicts when the last one ends; if that is sooner than
 * the base schedule, the next poll goes just after the predicted end (never sooner than a
 * quarter of the base interval, so a wrong prediction costs few requests). A list of only the
 * steps reached so far (what the simulator shows, and perhaps the service) says nothing about
 * how many remain, so it predicts nothing and the base schedule applies.
 */
import type { Forecast } from './history';
import type { RunResults } from './types';

export const FIRST_POLL_MS = 250;
/** Shortest interval after the first poll (unless the caller's maxMs is lower). */
export const MIN_POLL_MS = 1000;
/** No interval is ever shorter than this, whatever maxMs says. */
export const FLOOR_POLL_MS = 250;
/** A run already running at a poll this young gets the next poll FLOOR_POLL_MS later. */
export const QUICK_START_WINDOW_MS = 500;
/** Interval as a fraction of the time waited so far (0.35 → intervals grow ×1.35 per poll). */
export const POLL_GROWTH_FRACTION = 0.35;
/** Ceiling of an interval while the run is young ... */
export const YOUNG_CEILING_MS = 2500;
/** ... which relaxes to this fraction of the time waited (up to maxMs) once that is larger. */
export const AGED_CEILING_FRACTION = 0.3;
/**
 * With no forecast, an interval never exceeds this (whatever maxMs says), so a first run is seen
 * about as soon as a 5 s poller sees it, ...
 */
export const UNFORECAST_CEILING_MS = 4500;
/** ... until 1 % of the time waited is more (from 7.5 min on): very long runs cost fewer requests. */
export const UNFORECAST_CEILING_FRACTION = 0.01;
export const DEFAULT_MAX_POLL_INTERVAL_MS = 5000;
/** Inside the forecast window: a third of its width, at most this (at least FLOOR_POLL_MS). */
export const WINDOW_MAX_INTERVAL_MS = 1750;
/** Before the window: a fraction of the time left until it opens (up to maxMs). */
export const APPROACH_FRACTION = 0.5;
/** After the window: the interval grows by this fraction of the time past it, back to the base schedule. */
export const LATE_GROWTH_FRACTION = 0.25;
/** Poll this long after the predicted end of the last step. */
export const PREDICTION_MARGIN_MS = 100;

/**
 * Milliseconds to sleep before the next poll.
 * @param attempt polls made so far (0 before the first poll)
 * @param elapsedMs time since the wait started
 * @param maxMs upper bound of an interval
 * @param run the last state seen, if any
 */
export function nextPollDelay(attempt: number, elapsedMs: number, maxMs: number, run?: RunResults, forecast?: Forecast): number {
	const cap = Math.max(FLOOR_POLL_MS, maxMs);
	if (attempt <= 0) return Math.min(FIRST_POLL_MS, cap);
	const base = baseDelay(elapsedMs, cap);
	const planned = forecast ? forecastDelay(elapsedMs, cap, base, forecast) : base;
	if (!forecast && attempt === 1 && run?.status === 'R' && elapsedMs < QUICK_START_WINDOW_MS) return Math.min(FLOOR_POLL_MS, cap);
	return Math.min(planned, stepPredictionDelay(elapsedMs, base, run));
}

/** Today's schedule: a fraction of the run's age, within the ceilings. */
function baseDelay(elapsedMs: number, cap: number): number {
	const proportional = Math.max(MIN_POLL_MS, Math.round(elapsedMs * POLL_GROWTH_FRACTION));
	const unforecast = Math.max(UNFORECAST_CEILING_MS, Math.round(elapsedMs * UNFORECAST_CEILING_FRACTION));
	const ceiling = Math.min(unforecast, Math.max(YOUNG_CEILING_MS, Math.round(elapsedMs * AGED_CEILING_FRACTION)));
	return Math.min(cap, proportional, ceiling);
}

/**
 * With a forecast: sparse before the window (closing in on its start), dense inside it, and
 * after it intervals that grow back to the base schedule, so a run that ends far from the
 * forecast is seen at most one maxMs late (sooner) or on today's schedule (later).
 */
function forecastDelay(elapsedMs: number, cap: number, base: number, { earliestMs, latestMs }: Forecast): number {
	const dense = Math.min(cap, Math.max(FLOOR_POLL_MS, Math.min(WINDOW_MAX_INTERVAL_MS, Math.round((latestMs - earliestMs) / 3))));
	if (elapsedMs < earliestMs) {
		const toWindow = earliestMs - elapsedMs;
		return Math.min(cap, Math.max(dense, Math.min(toWindow, Math.round(toWindow * APPROACH_FRACTION) + dense)));
	}
	if (elapsedMs <= latestMs) return dense;
	return Math.max(dense, Math.min(base, dense + Math.round((elapsedMs - latestMs) * LATE_GROWTH_FRACTION)));
}

/** Just after the last step's predicted end, when that is sooner than `base` (never sooner than base / 4); else Infinity. */
function stepPredictionDelay(elapsedMs: number, base: number, run?: RunResults): number {
	const predicted = predictRemainingMs(elapsedMs, run);
	if (predicted === undefined) return Number.POSITIVE_INFINITY;
	const floor = Math.max(FLOOR_POLL_MS, Math.round(base / 4));
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
