/** The adaptive poll schedule (a pure function): quick while the run is young, slower as it ages. */
import { DEFAULT_MAX_POLL_INTERVAL_MS, nextPollDelay, predictRemainingMs, type RunResults } from '../../src/client';

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
		executions: steps.map((s, i) => ({ status: s, instructionOrder: i + 1, instruction: `step ${i + 1}`, result: null, resultFormat: null, errorMessage: null })),
	};
}

test('the first poll comes 250 ms after the wait starts, then intervals never shrink and reach the cap', () => {
	expect(nextPollDelay(0, 0, 5000)).toBe(250);
	for (const maxMs of [5000, 10_000]) {
		const times = pollTimes(120_000, maxMs);
		const intervals = times.slice(1).map((t, i) => t - times[i]);
		for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBeGreaterThanOrEqual(intervals[i - 1]);
		expect(Math.min(...intervals)).toBeGreaterThanOrEqual(1000);
		expect(Math.max(...intervals)).toBeLessThanOrEqual(maxMs + 20);
		expect(intervals[intervals.length - 1]).toBeGreaterThanOrEqual(maxMs);
	}
	expect(nextPollDelay(3, 1_000_000, 12_000)).toBe(12_000);
	expect(nextPollDelay(3, 1_000_000, 50)).toBe(250); // never hammer
	expect(nextPollDelay(5, 60_000, 2000)).toBe(2000); // a caller's lower ceiling applies
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

test('long runs pay for the quick start: fewer polls than a 5 s poller with a 10 s cap, about as many with 5 s', () => {
	expect(detection(120_000, 10_000).polls).toBeLessThanOrEqual(fixedPoller(120_000).polls);
	for (const end of [600_000, 3_600_000]) expect(detection(end, 10_000).polls).toBeLessThanOrEqual(fixedPoller(end).polls * 0.6);
	for (const end of [120_000, 600_000, 3_600_000]) {
		expect(detection(end, 5000).polls).toBeLessThanOrEqual(fixedPoller(end).polls + 12);
	}
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
	// With a 10 s cap the base interval would be 7.5 s: the prediction still wins.
	expect(nextPollDelay(20, 30_000, 10_000, run('R', [...Array(9).fill('C'), 'P']))).toBe(3433);
	// Never sooner than a quarter of the base interval.
	expect(nextPollDelay(20, 30_000, 5000, run('R', [...Array(99).fill('C'), 'P']))).toBe(1250);
});

test('no prediction from a list of only the steps reached so far, or before any step is done', () => {
	expect(predictRemainingMs(3000, run('R', ['C', 'C', 'R']))).toBeUndefined();
	expect(predictRemainingMs(3000, run('R', ['R', 'P', 'P']))).toBeUndefined();
	expect(predictRemainingMs(3000, run('P', []))).toBeUndefined();
	expect(nextPollDelay(20, 30_000, 5000, run('R', ['C', 'C', 'R']))).toBe(5000);
});

test('talent statuses: C/completed succeed, the failure set fails, others are unknown', async () => {
	const { talentOutcome } = await import('../../src/client');
	expect(['C', 'completed', 'Completed'].map(talentOutcome)).toEqual(['success', 'success', 'success']);
	expect(['F', 'failed', 'X', 'cancelled', 'error'].map(talentOutcome)).toEqual(Array(5).fill('failure'));
	expect([null, '', 'R', 'queued'].map(talentOutcome)).toEqual(Array(4).fill('unknown'));
});
