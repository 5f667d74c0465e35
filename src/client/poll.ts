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
 * Max Poll Interval above its default (10 s) asks to save requests, so it means what it says:
 * once the run is older than `maxMs`, polls are `maxMs` apart, and nothing below (forecast, step
 * prediction) polls sooner. At the default or below, the schedule is tuned to see runs soon.
 *
 * Forecast (history.ts): the same workflow runs again and again, and its recent runs say in
 * which window the next one will end. Before the window the wait polls at most `maxMs` apart,
 * spread evenly so that one poll lands on the window's first point (and, when the caller names
 * the workflow, without the 250 ms first poll); inside it, at evenly spaced points at most 1 s
 * apart, the last on its end, but no more than the base schedule would spend by then; after it,
 * the interval grows back to the base schedule. So a repeated run is seen within about half a
 * second of its end, for fewer requests than a 5 s poller spends. A run much shorter than
 * forecast is seen at most one `maxMs` late; one much longer, as the base schedule sees it. A
 * wrong forecast never floods the service (no more polls than without it) nor misses an end.
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
 * With no forecast, an interval never exceeds this (whatever maxMs up to the default says), so a
 * first run is seen about as soon as a 5 s poller sees it, ...
 */
export const UNFORECAST_CEILING_MS = 4500;
/** ... until 1 % of the time waited is more (from 7.5 min on): very long runs cost fewer requests. */
export const UNFORECAST_CEILING_FRACTION = 0.01;
/**
 * Max Poll Interval when the caller sets none (the node's default too). Up to it, the schedule is
 * tuned to see runs soon; above it, the caller asks to save requests: a run older than maxMs is
 * polled every maxMs, and nothing (no forecast, no step prediction) polls it more often.
 */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 10_000;
/** Inside the forecast window, polls are evenly spaced at most this far apart; the last one at its end. */
export const WINDOW_SPACING_MS = 1000;
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
 * @param forecast when the run is expected to end, if its workflow was seen before
 */
export function nextPollDelay(attempt: number, elapsedMs: number, maxMs: number, run?: RunResults, forecast?: Forecast): number {
	const cap = Math.max(FLOOR_POLL_MS, maxMs);
	if (cap > DEFAULT_MAX_POLL_INTERVAL_MS && elapsedMs >= cap) return cap;
	const tuned = cap <= DEFAULT_MAX_POLL_INTERVAL_MS;
	if (tuned && forecast) {
		const base = baseDelay(elapsedMs, cap);
		return Math.max(FLOOR_POLL_MS, Math.min(forecastDelay(elapsedMs, cap, base, forecast), stepPredictionDelay(elapsedMs, base, run)));
	}
	if (attempt <= 0) return Math.min(FIRST_POLL_MS, cap);
	if (attempt === 1 && run?.status === 'R' && elapsedMs < QUICK_START_WINDOW_MS) return Math.min(FLOOR_POLL_MS, cap);
	const base = baseDelay(elapsedMs, cap);
	return tuned ? Math.min(base, stepPredictionDelay(elapsedMs, base, run)) : base;
}

/** Today's schedule: a fraction of the run's age, within the ceilings. */
function baseDelay(elapsedMs: number, cap: number): number {
	const proportional = Math.max(MIN_POLL_MS, Math.round(elapsedMs * POLL_GROWTH_FRACTION));
	const unforecast = Math.max(UNFORECAST_CEILING_MS, Math.round(elapsedMs * UNFORECAST_CEILING_FRACTION));
	const ceiling = Math.min(unforecast, Math.max(YOUNG_CEILING_MS, Math.round(elapsedMs * AGED_CEILING_FRACTION)));
	return Math.min(cap, proportional, ceiling);
}

/** Polls the base schedule makes by `untilMs` (what a wait without a forecast would spend). */
function basePollsBy(untilMs: number, cap: number): number {
	let polls = 0;
	for (let t = Math.min(FIRST_POLL_MS, cap); t <= untilMs; t += baseDelay(t, cap)) polls++;
	return polls;
}

/**
 * With a forecast: polls at most `cap` apart before the window, spread evenly so that one lands on
 * the window's first point; inside it, evenly spaced points at most WINDOW_SPACING_MS apart, the
 * last on its end; after it, intervals that grow back to the base schedule. A run that ends far
 * from the forecast is seen at most one cap late (sooner) or on the base schedule (later).
 */
function forecastDelay(elapsedMs: number, cap: number, base: number, { earliestMs, latestMs }: Forecast): number {
	const width = latestMs - earliestMs;
	// No more polls than the base schedule would make by the window's end: a forecast never costs more than none.
	const budget = basePollsBy(latestMs, cap) - Math.floor(earliestMs / cap);
	const points = Math.max(1, Math.min(Math.ceil(width / WINDOW_SPACING_MS), budget));
	const spacing = width / points;
	if (elapsedMs > latestMs) return Math.max(spacing, Math.min(base, spacing + Math.round((elapsedMs - latestMs) * LATE_GROWTH_FRACTION)));
	const firstPoint = earliestMs + spacing;
	if (elapsedMs < firstPoint) {
		const toWindow = firstPoint - elapsedMs;
		return Math.round(toWindow / Math.ceil(toWindow / cap));
	}
	const next = earliestMs + (Math.floor((elapsedMs - earliestMs) / spacing) + 1) * spacing;
	return Math.round(Math.min(next, latestMs) - elapsedMs) || Math.round(spacing);
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
