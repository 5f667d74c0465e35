/**
 * What the wait learns: when each workflow's recent runs ended, per process, in bounded memory.
 *
 * The same Witrium workflow runs again and again (every item of a batch, every tick of a
 * schedule), and its earlier durations say when the next run will end. Each sample is the
 * interval in which a run was known to end, in ms since its wait started (the wait starts as
 * the run is submitted). A forecast is a window around the recent samples; the schedule polls
 * densely inside it and sparsely before it (see poll.ts).
 */
import { TERMINAL_STATUSES } from './status';
import { parseServiceTime } from './time';
import type { RunResults } from './types';

/** When a run ended, as far as the polls (and the run's own timestamps) tell: ms since the wait started. */
export interface EndSample {
	afterMs: number;
	byMs: number;
}

/** The window in which the next run of a workflow is expected to end, in ms since its wait started. */
export interface Forecast {
	earliestMs: number;
	latestMs: number;
}

/** Workflows remembered; the least recently used is forgotten first. */
export const MAX_WORKFLOWS = 1000;
/** Recent runs remembered per workflow. */
export const SAMPLES_PER_WORKFLOW = 5;
/** With one run seen, the next is expected within ±15 % of it. */
export const SINGLE_SAMPLE_MARGIN = 0.15;
/** With several, the window extends past the range seen by their mean gap, but at least 3 %. */
export const MIN_MARGIN = 0.03;
/** No forecast when the runs vary more than this (window width over its end; a window under 2 s always goes): today's schedule is safer. */
export const MAX_WINDOW_SPREAD = 0.5;
const ALWAYS_NARROW_ENOUGH_MS = 2000;
/** Samples narrower than this are not widened further by their own uncertainty. */
const MIN_MARGIN_MS = 100;

export class RunDurations {
	private readonly byWorkflow = new Map<string, EndSample[]>();

	constructor(
		readonly maxWorkflows = MAX_WORKFLOWS,
		readonly samplesPerWorkflow = SAMPLES_PER_WORKFLOW,
	) {}

	/** Workflows remembered now. */
	get size(): number {
		return this.byWorkflow.size;
	}

	/** Samples remembered for a workflow, oldest first. */
	samples(workflowId: string): readonly EndSample[] {
		return this.byWorkflow.get(workflowId) ?? [];
	}

	record(workflowId: string, sample: EndSample): void {
		if (!(sample.afterMs >= 0 && sample.byMs >= sample.afterMs && Number.isFinite(sample.byMs))) return;
		const samples = this.byWorkflow.get(workflowId) ?? [];
		this.byWorkflow.delete(workflowId); // re-inserted last: Map order is the LRU order
		samples.push(sample);
		if (samples.length > this.samplesPerWorkflow) samples.shift();
		this.byWorkflow.set(workflowId, samples);
		if (this.byWorkflow.size > this.maxWorkflows) this.byWorkflow.delete(this.byWorkflow.keys().next().value as string);
	}

	/** The window of the next run's end, or undefined for a workflow not seen or too erratic to predict. */
	forecast(workflowId: string): Forecast | undefined {
		const samples = this.byWorkflow.get(workflowId);
		if (!samples || samples.length === 0) return undefined;
		this.byWorkflow.delete(workflowId);
		this.byWorkflow.set(workflowId, samples);
		return forecastFrom(samples);
	}

	clear(): void {
		this.byWorkflow.clear();
	}
}

/** The window of the next end, from the intervals in which recent runs ended. */
export function forecastFrom(samples: readonly EndSample[]): Forecast | undefined {
	if (samples.length === 0) return undefined;
	const mids = samples.map((s) => (s.afterMs + s.byMs) / 2).sort((a, b) => a - b);
	const typical = mids[mids.length >> 1];
	const n = mids.length;
	const margin = Math.max(
		MIN_MARGIN_MS,
		n === 1 ? SINGLE_SAMPLE_MARGIN * typical : Math.max(MIN_MARGIN * typical, (mids[n - 1] - mids[0]) / (n - 1)),
	);
	const earliestMs = Math.max(0, Math.min(...samples.map((s) => s.afterMs)) - margin);
	// From the middles, not the ends: a run seen done by a poll at the window's end would otherwise push the next window later each time.
	const latestMs = mids[n - 1] + margin;
	if (latestMs - earliestMs > Math.max(ALWAYS_NARROW_ENOUGH_MS, MAX_WINDOW_SPREAD * latestMs)) return undefined;
	return { earliestMs: Math.round(earliestMs), latestMs: Math.round(latestMs) };
}

/** The process-wide memory every wait learns from, unless given its own. */
export const learnedDurations = new RunDurations();

/**
 * Follows one wait's polls to tell, when the run completes, the interval in which it ended: after
 * the last poll that saw it going, by the poll that saw it done; narrowed by the run's own
 * duration (`completed_at − started_at`, one clock) placed after the polls that saw it start.
 */
export class EndTracker {
	private startedAfterMs = 0;
	private startedByMs: number | undefined;
	private endedAfterMs = 0;

	/** A poll sent at `sentMs` answered `run` at `answeredMs` (ms since the wait started). */
	observe(run: RunResults, sentMs: number, answeredMs: number): void {
		if (run.status === 'P') this.startedAfterMs = sentMs;
		else this.startedByMs ??= answeredMs;
		if (!TERMINAL_STATUSES.has(run.status)) this.endedAfterMs = sentMs;
	}

	/** The interval in which `run`, seen done at `answeredMs`, ended. */
	sample(run: RunResults, answeredMs: number): EndSample {
		const polled = { afterMs: this.endedAfterMs, byMs: answeredMs };
		const ranMs = parseServiceTime(run.completedAt ?? '') - parseServiceTime(run.startedAt ?? '');
		if (!(ranMs >= 0) || this.startedByMs === undefined) return polled;
		const afterMs = Math.max(polled.afterMs, this.startedAfterMs + ranMs);
		const byMs = Math.min(polled.byMs, this.startedByMs + ranMs);
		// Timestamps that disagree with the polls (another clock, a run started before the wait) are ignored.
		return afterMs <= byMs ? { afterMs, byMs } : polled;
	}
}
