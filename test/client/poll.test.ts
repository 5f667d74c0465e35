/** The adaptive poll schedule (a pure function): quick while the run is young, then capped. */
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

test('the first poll comes 250 ms after the wait starts, then intervals grow to the cap', () => {
	expect(nextPollDelay(0, 0, 5000)).toBe(250);
	const times = pollTimes(60_000);
	const intervals = times.slice(1).map((t, i) => t - times[i]);
	for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBeGreaterThanOrEqual(intervals[i - 1]);
	expect(Math.max(...intervals)).toBeLessThanOrEqual(5020);
	expect(intervals[intervals.length - 1]).toBeGreaterThanOrEqual(5000);
	expect(nextPollDelay(3, 1_000_000, 12_000)).toBe(12_000);
	expect(nextPollDelay(3, 1_000_000, 50)).toBe(250); // never hammer
});

test('a run ending anywhere around 2 s is seen within 0.7 s', () => {
	for (let end = 1500; end <= 2500; end += 10) expect(detection(end).delayMs).toBeLessThanOrEqual(700);
});

test('a run is never seen later than one interval cap after it ends', () => {
	for (let end = 0; end <= 120_000; end += 997) expect(detection(end).delayMs).toBeLessThanOrEqual(5020);
});

test('a long run costs about as many polls as polling every 5 s', () => {
	const tenMinutes = detection(600_000).polls;
	expect(tenMinutes).toBeLessThanOrEqual(600_000 / 5000 + 12);
	expect(detection(90_000).polls).toBeLessThanOrEqual(90_000 / 5000 + 12);
});

test('step progress predicts the end when the steps not yet started are listed', () => {
	// 2 of 4 steps done after 2 s: about 2 s to go; the base interval (~667 ms) wins.
	expect(predictRemainingMs(2000, run('R', ['C', 'C', 'R', 'P']))).toBe(2000);
	expect(nextPollDelay(5, 2000, 5000, run('R', ['C', 'C', 'R', 'P']))).toBe(nextPollDelay(5, 2000, 5000));
	// 9 of 10 done after 30 s: the end is predicted ~3.3 s away, sooner than the 5 s cap.
	expect(nextPollDelay(20, 30_000, 5000, run('R', [...Array(9).fill('C'), 'P']))).toBe(3433);
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
