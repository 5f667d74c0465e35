/**
 * The wait's schedule over real HTTP to the simulator, on a virtual clock (minutes of waiting take
 * milliseconds; the run's one step lasts an hour of real time): Max Poll Interval set above its
 * default saves requests as its label says, and a caller that names the workflow gets its forecast
 * from the first poll on.
 */
import { WaitTimeoutError, WitriumClient, learnedDurations } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import { waitForRun, type WaitClock } from '../../src/client/wait';
import type { WitriumSimulator } from '../../simulator/index';
import { failure, makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let client: WitriumClient;

beforeAll(async () => {
	const started = await startSimulator();
	sim = started.sim;
	client = makeClient(started.baseUrl);
});
beforeEach(() => {
	learnedDurations.clear();
	sim.reset();
	sim.define({ workflows: [{ id: 'hour-long', startDelayMs: 50, steps: [{ instruction: 'Export everything', durationMs: 3_600_000 }] }] });
});
afterAll(async () => {
	await sim.stop();
	await closeAllDispatchers();
});

/** Starts at the real time and only moves forward, so request deadlines derived from it stay in the future. */
function virtualClock(): WaitClock {
	let now = Date.now();
	return {
		now: () => now,
		sleep: async (ms) => {
			now += Math.max(0, ms);
			await new Promise((resolve) => setImmediate(resolve));
		},
	};
}

/**
 * Waits `minutes` (virtual) on a run that does not end, and returns when each poll was sent (ms since
 * the wait started), leaving out the wait's last look at the run just before its deadline.
 */
async function pollTimes(maxPollIntervalMs: number | undefined, minutes: number, workflowId?: string): Promise<number[]> {
	const { runId } = await client.runWorkflow('hour-long');
	const clock = virtualClock();
	const startedAt = clock.now();
	const sent: number[] = [];
	const poll = (call: Parameters<Parameters<typeof waitForRun>[1]>[0]) => {
		sent.push(clock.now() - startedAt);
		return client.getResults(runId, call);
	};
	const error = await failure(waitForRun(runId, poll, { maxPollIntervalMs, timeoutMs: minutes * 60_000, workflowId }, clock));
	expect(error).toBeInstanceOf(WaitTimeoutError);
	// Every poll was a real request.
	expect(sim.requests.filter((r) => r.endpoint === 'getResults')).toHaveLength(sent.length);
	expect(sent[sent.length - 1]).toBe(minutes * 60_000 - 300);
	return sent.slice(0, -1);
}

/** Polls sent in each whole minute of the wait. */
const perMinute = (times: number[], minutes: number) =>
	Array.from({ length: minutes }, (_, m) => times.filter((t) => t >= m * 60_000 && t < (m + 1) * 60_000).length);

test('Max Poll Interval 60 s: at most one request a minute once the run is a minute old', async () => {
	const times = await pollTimes(60_000, 6);
	expect(perMinute(times, 6).slice(1)).toEqual([1, 1, 1, 1, 1]);
	// Quick while young: the first poll after 250 ms, several in the first minute.
	expect(times[0]).toBe(250);
	expect(perMinute(times, 1)[0]).toBeGreaterThanOrEqual(5);
});

test('Max Poll Interval 60 s on a workflow the wait has learned: still at most one request a minute', async () => {
	// Three earlier runs ended at about 3 minutes: a forecast would poll densely around then.
	for (let i = 0; i < 3; i++) learnedDurations.record('hour-long', { afterMs: 180_000, byMs: 181_000 });
	const times = await pollTimes(60_000, 6);
	expect(perMinute(times, 6).slice(1)).toEqual([1, 1, 1, 1, 1]);
});

test('Max Poll Interval 30 s: one request per 30 s once the run is 30 s old', async () => {
	const times = await pollTimes(30_000, 4);
	const old = times.filter((t) => t >= 30_000);
	const gaps = old.slice(1).map((t, i) => t - old[i]);
	expect(gaps.length).toBeGreaterThanOrEqual(5);
	expect(gaps.every((gap) => gap === 30_000)).toBe(true);
});

test('a run its caller names the workflow of is forecast: no quick first poll, sparse polls, then dense ones around its usual end', async () => {
	// Earlier runs ended at about 30 s: the window is 29.1–31.9 s.
	for (let i = 0; i < 3; i++) learnedDurations.record('hour-long', { afterMs: 30_000, byMs: 31_000 });
	const named = await pollTimes(undefined, 1, 'hour-long');
	expect(named.filter((t) => t < 29_000).length).toBeLessThanOrEqual(3);
	const inWindow = named.filter((t) => t >= 29_000 && t <= 32_000);
	expect(inWindow.length).toBeGreaterThanOrEqual(3);
	expect(Math.max(...inWindow.slice(1).map((t, i) => t - inWindow[i]))).toBeLessThanOrEqual(1000);
	// Without the name (a run started elsewhere, at an unknown time): no forecast, the base schedule.
	sim.reset();
	const unnamed = await pollTimes(undefined, 1);
	expect(unnamed[0]).toBe(250);
	expect(unnamed.filter((t) => t < 29_000).length).toBeGreaterThanOrEqual(10);
	expect(named[0]).toBeGreaterThan(5000);
});
