/** The adaptive poll schedule (a pure function): quick while the run is young, slower as it ages. */
import {
	DEFAULT_MAX_POLL_INTERVAL_MS,
	EndTracker,
	RunDurations,
	forecastFrom,
	nextPollDelay,
	predictRemainingMs,
	type RunResults,
} from '../../src/client';

/** Poll times (ms from the wait's start) of the base schedule, with `latencyMs` per request. */
function pollTimes(untilMs: number, maxMs = DEFAULT_MAX_POLL_INTERVAL_MS, latencyMs = 20): number[] {
	const times: number[] = [];
	let t = 0;
	for (let attempt = 0; t < untilMs; attempt++) {
		t += nextPollDelay(attempt, t, maxMs);
		times.push(t);
		t += latencyMs;
	}
	return times;
}

/** How long after `endMs` a run ending then is seen, and the polls spent. */
function detection(endMs: number, maxMs = DEFAULT_MAX_POLL_INTERVAL_MS) {
	const times = pollTimes(endMs + maxMs * 2, maxMs);
	const index = times.findIndex((t) => t >= endMs);
	return { delayMs: times[index] - endMs, polls: index + 1 };
}

/** The same for the official JS client's default: a poll at once, then 5 s after each answer. */
function fixedPoller(endMs: number, latencyMs = 20) {
	let polls = 1;
	for (let t = 0; ; t += latencyMs + 5000, polls++) if (t >= endMs) return { delayMs: t - endMs, polls };
}

function run(status: string, steps: string[]): RunResults {
	return {
		workflowId: 'w',
		runId: 'r',
		status,
		startedAt: null,
		completedAt: null,
		message: null,
		result: null,
		resultFormat: null,
		errorMessage: null,
		executions: steps.map((s, i) => ({
			status: s,
			instructionOrder: i + 1,
			instruction: `step ${i + 1}`,
			result: null,
			resultFormat: null,
			errorMessage: null,
		})),
	};
}

test('the first poll comes 250 ms after the wait starts, then intervals never shrink and reach 4.5 s (or a lower cap)', () => {
	expect(nextPollDelay(0, 0, 5000)).toBe(250);
	for (const maxMs of [3000, 5000, 10_000]) {
		const times = pollTimes(120_000, maxMs);
		const intervals = times.slice(1).map((t, i) => t - times[i]);
		for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBeGreaterThanOrEqual(intervals[i - 1]);
		expect(Math.min(...intervals)).toBeGreaterThanOrEqual(1000);
		expect(Math.max(...intervals)).toBeLessThanOrEqual(Math.min(maxMs, 4500) + 20);
		expect(intervals[intervals.length - 1]).toBeGreaterThanOrEqual(Math.min(maxMs, 4500));
	}
	// From 7.5 min on the ceiling is 1 % of the time waited, up to the cap.
	expect(nextPollDelay(3, 300_000, 10_000)).toBe(4500);
	expect(nextPollDelay(3, 800_000, 10_000)).toBe(8000);
	expect(nextPollDelay(3, 2_000_000, 10_000)).toBe(10_000);
	expect(nextPollDelay(3, 1_000_000, 50)).toBe(250); // never hammer
	expect(nextPollDelay(5, 60_000, 2000)).toBe(2000); // a caller's lower ceiling applies
	// Above the default, the cap is the interval once the run is that old.
	expect(nextPollDelay(3, 59_000, 60_000)).toBe(4500);
	expect(nextPollDelay(3, 60_000, 60_000)).toBe(60_000);
});

test('a run is seen at most about 35 % of its duration late, and never more than 1 s for runs under 3 s', () => {
	for (let end = 300; end <= 30_000; end += 37) {
		const { delayMs } = detection(end, 10_000);
		expect(delayMs).toBeLessThanOrEqual(Math.max(1000, 0.35 * end) + 40);
		if (end < 3000) expect(delayMs).toBeLessThanOrEqual(1020);
	}
});

test('runs of up to 10 s are seen within 2.5 s: never later than a 5 s poller would', () => {
	for (let end = 0; end <= 10_000; end += 13) {
		expect(detection(end, 10_000).delayMs).toBeLessThanOrEqual(2520);
	}
});

test('a run is never seen later than one interval cap after it ends', () => {
	for (const maxMs of [5000, 10_000]) {
		for (let end = 0; end <= 300_000; end += 997) expect(detection(end, maxMs).delayMs).toBeLessThanOrEqual(maxMs + 20);
	}
});

test('with nothing learned, a long run costs about as many polls as a 5 s poller, and an hour-long one fewer', () => {
	for (const end of [120_000, 300_000, 600_000]) {
		for (const maxMs of [5000, 10_000]) expect(detection(end, maxMs).polls).toBeLessThanOrEqual(fixedPoller(end).polls * 1.35);
	}
	expect(detection(3_600_000, 10_000).polls).toBeLessThanOrEqual(fixedPoller(3_600_000).polls * 0.65);
});

test('a young run costs a bounded number of polls: at most 5 in the first 5 s, 8 in the first 10 s', () => {
	expect(pollTimes(5000).filter((t) => t <= 5000)).toHaveLength(5);
	expect(pollTimes(10_000).filter((t) => t <= 10_000).length).toBeLessThanOrEqual(8);
});

test('a run already running at the first poll gets one quick extra poll; a pending one does not', () => {
	expect(nextPollDelay(1, 260, 10_000, run('R', ['R']))).toBe(250);
	expect(nextPollDelay(1, 260, 10_000, run('P', []))).toBe(1000);
	expect(nextPollDelay(1, 260, 10_000)).toBe(1000); // the first poll failed: nothing seen
	expect(nextPollDelay(2, 520, 10_000, run('R', ['R']))).toBe(1000); // only once
	// Polls of a run that starts at `startMs` and ends at `endMs`, the state seen passed back in.
	const seen = (startMs: number, endMs: number) => {
		const times: number[] = [];
		let state: RunResults | undefined;
		for (let attempt = 0, t = 0; !times.length || times[times.length - 1] < endMs; attempt++) {
			t += nextPollDelay(attempt, t, 10_000, state);
			times.push(t);
			state = run(t >= startMs ? 'R' : 'P', t >= startMs ? ['R'] : []);
			t += 20;
		}
		return times;
	};
	// A 400 ms run in a browser that was up at once is seen at ~0.5 s, as before the re-tuning.
	expect(seen(0, 400)).toEqual([250, 520]);
	// A run whose browser boots for 300 ms pays no extra poll: 0.25 s, then 1.27 s.
	expect(seen(300, 1200)).toEqual([250, 1270]);
});

test('step progress predicts the end when the steps not yet started are listed', () => {
	// 2 of 4 steps done after 2 s: about 2 s to go; the base interval (1 s) wins.
	expect(predictRemainingMs(2000, run('R', ['C', 'C', 'R', 'P']))).toBe(2000);
	expect(nextPollDelay(5, 2000, 5000, run('R', ['C', 'C', 'R', 'P']))).toBe(nextPollDelay(5, 2000, 5000));
	// 9 of 10 done after 30 s: the end is predicted ~3.3 s away, sooner than the 5 s cap.
	expect(nextPollDelay(20, 30_000, 5000, run('R', [...Array(9).fill('C'), 'P']))).toBe(3433);
	// With a 10 s cap the base interval would be 4.5 s: the prediction still wins.
	expect(nextPollDelay(20, 30_000, 10_000, run('R', [...Array(9).fill('C'), 'P']))).toBe(3433);
	// Never sooner than a quarter of the base interval.
	expect(nextPollDelay(20, 30_000, 5000, run('R', [...Array(99).fill('C'), 'P']))).toBe(1125);
});

test('no prediction from a list of only the steps reached so far, or before any step is done', () => {
	expect(predictRemainingMs(3000, run('R', ['C', 'C', 'R']))).toBeUndefined();
	expect(predictRemainingMs(3000, run('R', ['R', 'P', 'P']))).toBeUndefined();
	expect(predictRemainingMs(3000, run('P', []))).toBeUndefined();
	expect(nextPollDelay(20, 30_000, 5000, run('R', ['C', 'C', 'R']))).toBe(4500);
});

/**
 * One wait as waitForRun does it, on simulated time: a run submitted at 0, running from
 * `startMs`, completed at `endMs` (its timestamps say so), requests answered in `latencyMs`.
 */
function learningWait(durations: RunDurations, workflowId: string, startMs: number, endMs: number, maxMs = 10_000, latencyMs = 20) {
	const tracker = new EndTracker();
	const times: number[] = [];
	const forecast = durations.forecast(workflowId);
	let last: RunResults | undefined;
	for (let attempt = 0, t = 0; ; attempt++) {
		t += nextPollDelay(attempt, t, maxMs, last, forecast);
		const sent = t;
		times.push(sent);
		t += latencyMs;
		const status = sent < startMs ? 'P' : sent < endMs ? 'R' : 'C';
		last = {
			...run(status, []),
			workflowId,
			startedAt: status === 'P' ? null : new Date(startMs).toISOString(),
			completedAt: status === 'C' ? new Date(endMs).toISOString() : null,
		};
		tracker.observe(last, sent, t);
		if (status === 'C') {
			durations.record(workflowId, tracker.sample(last, t));
			return { times, polls: times.length, delayMs: sent - endMs, forecast };
		}
	}
}

test('the first run of a workflow keeps the schedule of a wait that learns nothing', () => {
	const durations = new RunDurations();
	const first = learningWait(durations, 'w', 1000, 60_000);
	expect(first.forecast).toBeUndefined();
	expect(first.times).toEqual(pollTimes(60_000, 10_000).filter((t, i, all) => i === 0 || all[i - 1] < 60_000));
});

test('repeats are seen within ~1 s of their end, for no more polls than without a forecast, at every length', () => {
	for (const lengthMs of [10_000, 30_000, 90_000, 300_000]) {
		const durations = new RunDurations();
		const startMs = Math.min(1000, lengthMs / 10);
		learningWait(durations, 'w', startMs, lengthMs);
		let polls = 0;
		let pollerPolls = 0;
		// The runs vary by ±10 %, each a little differently.
		for (const factor of [1.08, 0.93, 1.02, 0.9, 1.1, 0.97]) {
			const repeat = learningWait(durations, 'w', startMs, Math.round(lengthMs * factor));
			expect(repeat.forecast).toBeDefined();
			expect(repeat.delayMs).toBeLessThanOrEqual(2000);
			// A forecast never costs more polls than the same run without one.
			expect(repeat.polls).toBeLessThanOrEqual(detection(Math.round(lengthMs * factor), 10_000).polls + 1);
			polls += repeat.polls;
			pollerPolls += fixedPoller(lengthMs * factor).polls;
		}
		// Long runs pay for the dense window by sparse polls before it: fewer than a 5 s poller's.
		if (lengthMs >= 90_000) expect(polls).toBeLessThan(pollerPolls);
	}
	// A repeat of a 5-minute run: at most 10 s (maxMs) apart until the window, then evenly spaced
	// inside it (the window of one run is wide, so its spacing is what the base schedule could afford).
	const durations = new RunDurations();
	learningWait(durations, 'w', 1000, 300_000);
	const repeat = learningWait(durations, 'w', 1000, 305_000);
	const intervals = repeat.times.slice(1).map((t, i) => t - repeat.times[i]);
	expect(intervals.slice(0, 20).every((ms) => ms > 9000 && ms <= 10_020)).toBe(true);
	expect(new Set(intervals.slice(-5)).size).toBeLessThanOrEqual(2);
	expect(Math.max(...intervals.slice(-5))).toBeLessThanOrEqual(2000);
	expect(repeat.polls).toBeLessThanOrEqual(detection(305_000, 10_000).polls);
});

test("a run seen done by the poll at the window's end does not push the next window later: instant runs stay seen at once", () => {
	const durations = new RunDurations();
	const delays = Array.from({ length: 50 }, () => learningWait(durations, 'w', 0, 0).delayMs);
	expect(Math.max(...delays)).toBeLessThanOrEqual(300);
});

test('a run much longer than learned falls back to the base schedule: seen within its interval, no flood of polls', () => {
	const durations = new RunDurations();
	for (let i = 0; i < 3; i++) learningWait(durations, 'w', 1000, 30_000);
	const late = learningWait(durations, 'w', 1000, 120_000);
	expect(late.forecast).toBeDefined();
	const intervals = late.times.slice(1).map((t, i) => t - late.times[i]);
	// Past the window the intervals grow back to the base schedule's 4.5 s, never below the window's.
	const pastWindow = late.times.map((t, i) => ({ t, interval: intervals[i] })).filter((p) => p.t > late.forecast!.latestMs + 20_000);
	expect(pastWindow.every((p) => p.interval === undefined || p.interval >= 4500)).toBe(true);
	expect(late.delayMs).toBeLessThanOrEqual(4520);
	expect(late.polls).toBeLessThanOrEqual(detection(120_000, 10_000).polls + 5);
});

test('a run much shorter than learned is seen within one max interval, and the next forecast widens', () => {
	const durations = new RunDurations();
	for (let i = 0; i < 3; i++) learningWait(durations, 'w', 1000, 300_000);
	const quick = learningWait(durations, 'w', 1000, 42_000);
	expect(quick.delayMs).toBeLessThanOrEqual(10_020);
	expect(quick.polls).toBeLessThanOrEqual(detection(42_000, 10_000).polls);
	// Runs of 42 s and 300 s: too erratic to forecast, so the next wait polls as a first run does.
	expect(durations.forecast('w')).toBeUndefined();
	expect(learningWait(durations, 'w', 1000, 300_000).delayMs).toBeLessThanOrEqual(4520);
});

test('a forecast: ±15 % around one run, past the range of several by their mean gap (at least 3 %)', () => {
	expect(forecastFrom([])).toBeUndefined();
	expect(forecastFrom([{ afterMs: 99_000, byMs: 101_000 }])).toEqual({ earliestMs: 84_000, latestMs: 115_000 });
	expect(forecastFrom([100_000, 104_000, 108_000].map((ms) => ({ afterMs: ms, byMs: ms })))).toEqual({
		earliestMs: 96_000,
		latestMs: 112_000,
	});
	expect(forecastFrom([100_000, 101_000, 102_000].map((ms) => ({ afterMs: ms, byMs: ms })))).toEqual({
		earliestMs: 96_970,
		latestMs: 105_030,
	});
	expect(forecastFrom([100_000, 120_000, 110_000].map((ms) => ({ afterMs: ms, byMs: ms })))).toEqual({
		earliestMs: 90_000,
		latestMs: 130_000,
	});
	expect(forecastFrom([30_000, 60_000].map((ms) => ({ afterMs: ms, byMs: ms })))).toBeUndefined();
	// Short runs: a window of up to 2 s is narrow enough whatever its proportion.
	expect(forecastFrom([{ afterMs: 700, byMs: 1000 }])).toEqual({ earliestMs: 573, latestMs: 978 });
});

test('the memory is bounded: the least recently used workflows are forgotten, and each keeps its last 5 runs', () => {
	const durations = new RunDurations(3);
	for (let i = 1; i <= 3; i++) durations.record(`w${i}`, { afterMs: i * 1000, byMs: i * 1000 });
	expect(durations.forecast('w1')).toBeDefined(); // w1 is now the most recently used
	durations.record('w4', { afterMs: 4000, byMs: 4000 });
	expect(durations.size).toBe(3);
	expect(durations.forecast('w2')).toBeUndefined();
	expect(['w1', 'w3', 'w4'].every((id) => durations.forecast(id) !== undefined)).toBe(true);
	for (let i = 1; i <= 8; i++) durations.record('w1', { afterMs: i * 1000, byMs: i * 1000 });
	expect(durations.samples('w1').map((s) => s.byMs)).toEqual([4000, 5000, 6000, 7000, 8000]);
	for (let i = 0; i < 10_000; i++) durations.record(`many-${i}`, { afterMs: 1, byMs: 2 });
	expect(durations.size).toBe(3);
	// Nonsense is not learned.
	durations.record('bad', { afterMs: 5, byMs: 1 });
	durations.record('bad', { afterMs: Number.NaN, byMs: 1 });
	expect(durations.samples('bad')).toEqual([]);
});

test("a run's own timestamps narrow when it ended; timestamps that disagree with the polls are ignored", () => {
	const at = (status: string, startedAt: number | null, completedAt: number | null): RunResults => ({
		...run(status, []),
		startedAt: startedAt === null ? null : new Date(startedAt).toISOString(),
		completedAt: completedAt === null ? null : new Date(completedAt).toISOString(),
	});
	const tracker = new EndTracker();
	tracker.observe(at('P', null, null), 250, 260); // started after 250 ms ...
	tracker.observe(at('R', 5_000_000, null), 1250, 1260); // ... and by 1260 ms
	tracker.observe(at('R', 5_000_000, null), 8000, 8010);
	// Ran 9 s by its own clock: ended between 9.25 s and 10.26 s, not just between 8 s and 12.01 s.
	const done = at('C', 5_000_000, 5_009_000);
	tracker.observe(done, 12_000, 12_010);
	expect(tracker.sample(done, 12_010)).toEqual({ afterMs: 9250, byMs: 10_260 });
	// A run that claims to have ended before the polls saw it going: the polls alone.
	expect(tracker.sample(at('C', 5_000_000, 5_001_000), 12_010)).toEqual({ afterMs: 8000, byMs: 12_010 });
	expect(tracker.sample(at('C', null, null), 12_010)).toEqual({ afterMs: 8000, byMs: 12_010 });
	// Times with a bare '+00' offset ('2026-01-05T10:00:09.000+00', which Date.parse cannot read) narrow it alike.
	const postgres = (ms: number) => new Date(ms).toISOString().replace('Z', '+00');
	const donePostgres = { ...done, startedAt: postgres(5_000_000), completedAt: postgres(5_009_000) };
	expect(tracker.sample(donePostgres, 12_010)).toEqual({ afterMs: 9250, byMs: 10_260 });
});

test('talent statuses: C/completed succeed, the failure set fails, others are unknown', async () => {
	const { talentOutcome } = await import('../../src/client');
	expect(['C', 'completed', 'Completed'].map(talentOutcome)).toEqual(['success', 'success', 'success']);
	expect(['F', 'failed', 'X', 'cancelled', 'error'].map(talentOutcome)).toEqual(Array(5).fill('failure'));
	expect([null, '', 'R', 'queued'].map(talentOutcome)).toEqual(Array(4).fill('unknown'));
});
