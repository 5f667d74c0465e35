/** waitForRun: the awaited status, other terminal statuses, deadline, abort, progress, flaky polls. */
import { RunStatusError, WaitAbortedError, WaitTimeoutError, WitriumApiError, WitriumClient, learnedDurations, type RunResults } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { assertNoTokenLeak, failure, makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let baseUrl: string;
let client: WitriumClient;

beforeAll(async () => {
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl);
});
beforeEach(() => {
	learnedDurations.clear();
	sim.reset();
	sim.define({
		workflows: [
			{
				id: 'three-steps',
				startDelayMs: 100,
				steps: [
					{ instruction: 'Go to https://shop.example', durationMs: 100 },
					{ instruction: 'Search for socks', durationMs: 100 },
					{ instruction: 'Read the price', durationMs: 100 },
				],
				result: { price_eur: 9.5 },
			},
			{
				id: 'fails',
				startDelayMs: 50,
				steps: [
					{ instruction: 'Open page', durationMs: 100 },
					{ instruction: 'Click buy', durationMs: 100 },
				],
				failAtStep: 2,
				errorMessage: 'Button not found',
			},
			{
				id: 'slow',
				startDelayMs: 50,
				steps: [
					{ instruction: 'Log in', durationMs: 100 },
					{ instruction: 'Download the report', durationMs: 10_000 },
				],
			},
			{ id: 'late-start', startDelayMs: 3000, steps: [{ instruction: 'Go', durationMs: 100 }] },
			{
				id: 'two-seconds',
				startDelayMs: 100,
				steps: [
					{ instruction: 'a', durationMs: 600 },
					{ instruction: 'b', durationMs: 600 },
					{ instruction: 'c', durationMs: 700 },
				],
			},
		],
	});
});
afterAll(async () => {
	await sim.stop();
	await closeAllDispatchers();
	assertNoTokenLeak();
});

const polls = () => sim.requests.filter((r) => r.endpoint === 'getResults');

test('until completed returns the completed run, reporting every state seen', async () => {
	const { runId } = await client.runWorkflow('three-steps');
	const seen: RunResults[] = [];
	const run = await client.waitForRun(runId, { timeoutMs: 10_000, onProgress: (r) => seen.push(r) });
	expect(run).toMatchObject({ runId, status: 'C', result: { price_eur: 9.5 } });
	expect(run.executions.map((s) => s.status)).toEqual(['C', 'C', 'C']);
	expect(seen).toHaveLength(polls().length);
	expect(seen[seen.length - 1]).toEqual(run);
	expect(seen.some((r) => r.status === 'R')).toBe(true);
	expect(seen.slice(0, -1).every((r) => r.status !== 'C')).toBe(true);
});

test('until running returns as soon as the browser is up', async () => {
	const { runId } = await client.runWorkflow('slow');
	const seen: string[] = [];
	const run = await client.waitForRun(runId, { until: 'running', timeoutMs: 5000, onProgress: (r) => seen.push(r.status) });
	expect(run.status).toBe('R');
	// The first poll that saw it running was the last.
	expect(seen.filter((status) => status === 'R')).toHaveLength(1);
	expect(polls()).toHaveLength(seen.length);
});

test('until running with all instructions executed waits for the last step', async () => {
	const { runId } = await client.runWorkflow('three-steps');
	const seen: string[] = [];
	const run = await client.waitForRun(runId, {
		until: 'running',
		allInstructionsExecuted: true,
		timeoutMs: 5000,
		onProgress: (r) => seen.push(r.status),
	});
	// Not the first R: every step had to finish (the simulator then completes the run at once).
	expect(seen).toContain('R');
	expect(run.executions).toHaveLength(3);
	expect(run.executions.every((s) => s.status === 'C')).toBe(true);
});

test('a run that fails while waiting for completed ends at once with an error naming both', async () => {
	const { runId } = await client.runWorkflow('fails');
	const seen: string[] = [];
	const err = await failure<RunStatusError>(client.waitForRun(runId, { timeoutMs: 5000, onProgress: (r) => seen.push(r.status) }));
	expect(err).toBeInstanceOf(RunStatusError);
	expect(err.message).toBe(`Run ${runId} ended failed (F) while waiting for completed (C): Button not found`);
	expect(err.expected).toBe('C');
	expect(err.run).toMatchObject({ runId, status: 'F', errorMessage: 'Button not found' });
	// At once: no poll after the one that saw it failed.
	expect(seen.filter((status) => status === 'F')).toHaveLength(1);
	expect(polls()).toHaveLength(seen.length);
});

test('a run cancelled while waiting for running ends with an error naming both', async () => {
	const { runId } = await client.runWorkflow('late-start');
	let cancelled: Promise<unknown> | undefined;
	// Cancelled once the wait has seen it pending (it starts only 3 s after submission).
	const onProgress = () => void (cancelled ??= client.cancelRun(runId));
	const err = await failure<RunStatusError>(client.waitForRun(runId, { until: 'running', timeoutMs: 5000, onProgress }));
	await cancelled;
	expect(err).toBeInstanceOf(RunStatusError);
	expect(err.message).toBe(`Run ${runId} ended cancelled (X) while waiting for running (R)`);
	expect(err.run.status).toBe('X');
});

test('the deadline ends the wait with the run id, last status and last step', async () => {
	const { runId } = await client.runWorkflow('slow');
	const started = Date.now();
	const err = await failure<WaitTimeoutError>(client.waitForRun(runId, { timeoutMs: 700 }));
	const took = Date.now() - started;
	expect(err).toBeInstanceOf(WaitTimeoutError);
	expect(took).toBeGreaterThanOrEqual(690); // the run goes on for 10 s: only the deadline ended the wait
	expect(err.runId).toBe(runId);
	expect(err.lastRun?.status).toBe('R');
	expect(err.message).toBe(
		`Run ${runId} did not reach completed (C) within 700 ms; last status: running (R), ` +
			'last step reached: step 2 "Download the report" (running)',
	);
});

test('a poll request never runs past the deadline', async () => {
	const { runId } = await client.runWorkflow('slow');
	sim.injectFault({ endpoint: 'getResults', kind: 'delay', delayMs: 5000, times: 20 });
	const err = await failure<WaitTimeoutError>(client.waitForRun(runId, { timeoutMs: 800, requestTimeoutMs: 60_000 }));
	expect(err).toBeInstanceOf(WaitTimeoutError);
	// Given up while the simulator still held its (5 s) answer.
	expect(polls().length).toBeGreaterThan(0);
	expect(polls().every((poll) => poll.status === 0)).toBe(true);
	expect(err.message).toMatch(new RegExp(`^Run ${runId} did not reach completed \\(C\\) within 800 ms; no status was seen yet`));
	expect(err.lastRun).toBeUndefined();
});

test('an abort stops the wait at once, between polls and during a poll', async () => {
	const { runId } = await client.runWorkflow('slow');
	for (const duringPoll of [false, true]) {
		if (duringPoll) sim.injectFault({ endpoint: 'getResults', kind: 'delay', delayMs: 3000, times: 20 });
		const controller = new AbortController();
		let pollsAtAbort = -1;
		const abort = () => {
			pollsAtAbort = polls().length;
			controller.abort();
		};
		// Between polls: right after the first answer. During a poll: once the simulator holds one.
		const waiting = client.waitForRun(runId, { signal: controller.signal, onProgress: duringPoll ? undefined : () => pollsAtAbort < 0 && abort() });
		if (duringPoll) {
			await sim.until(() => polls().some((poll) => poll.status === 0));
			abort();
		}
		const err = await failure<WaitAbortedError>(waiting);
		expect(err).toBeInstanceOf(WaitAbortedError);
		expect(err.runId).toBe(runId);
		expect(polls()).toHaveLength(pollsAtAbort); // no poll after the abort
		if (duringPoll) expect(polls().at(-1)!.status).toBe(0); // its answer was not awaited
		else expect(err.lastRun?.status).toBe('R');
		sim.reset();
	}
});

test('failed polls that are retryable do not end the wait', async () => {
	const flaky = makeClient(baseUrl, { maxRetries: 1, retryBaseDelayMs: 10 });
	const { runId } = await flaky.runWorkflow('three-steps');
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 503, times: 5 });
	const run = await flaky.waitForRun(runId, { timeoutMs: 10_000 });
	expect(run.status).toBe('C');
	expect(polls().filter((p) => p.status === 503)).toHaveLength(5);
});

test('a non-retryable poll error (404) ends the wait', async () => {
	const err = await failure<WitriumApiError>(client.waitForRun('no-such-run', { timeoutMs: 10_000 }));
	expect(err).toBeInstanceOf(WitriumApiError);
	expect(err.status).toBe(404);
	expect(polls()).toHaveLength(1); // neither retried nor polled again
});

test('a 2-second run is seen finished at the first poll after it finishes, with few polls', async () => {
	const { runId } = await client.runWorkflow('two-seconds');
	const run = await client.waitForRun(runId, { timeoutMs: 10_000 });
	expect(run.status).toBe('C');
	// How soon that poll comes is the poll schedule's (test/client/poll.test.ts).
	const completedAt = sim.runs().find((r) => r.runId === runId)!.completedAt!;
	expect(polls().filter((poll) => poll.at >= completedAt)).toHaveLength(1);
	expect(polls().length).toBeLessThanOrEqual(10);
});

test("a completed wait learns when its run ended, to the poll, narrowed by the run's own timestamps", async () => {
	const { runId } = await client.runWorkflow('two-seconds');
	const waitStarted = Date.now();
	await client.waitForRun(runId, { timeoutMs: 10_000, workflowId: 'two-seconds' });
	const simRun = sim.runs().find((r) => r.runId === runId)!;
	const endedMs = simRun.completedAt! - waitStarted;
	const [sample] = learnedDurations.samples('two-seconds');
	expect(sample.afterMs).toBeLessThanOrEqual(endedMs + 5);
	expect(sample.byMs).toBeGreaterThanOrEqual(endedMs - 5);
	// The polls alone place the end within ~1 s; the run's duration by its own clock, within the first poll.
	expect(sample.byMs - sample.afterMs).toBeLessThan(600);
	expect(learnedDurations.samples('two-seconds')).toHaveLength(1);
});

test('a workflow learned to take 10 s is polled sparsely until then', async () => {
	for (let i = 0; i < 3; i++) learnedDurations.record('slow', { afterMs: 10_100, byMs: 10_200 });
	const { runId } = await client.runWorkflow('slow');
	const err = await failure<WaitTimeoutError>(client.waitForRun(runId, { timeoutMs: 3000, workflowId: 'slow' }));
	expect(err).toBeInstanceOf(WaitTimeoutError);
	// Only the last look before the deadline.
	expect(polls()).toHaveLength(1);
	learnedDurations.clear();
	sim.reset();
	const { runId: unlearned } = await client.runWorkflow('slow');
	await failure<WaitTimeoutError>(client.waitForRun(unlearned, { timeoutMs: 3000, workflowId: 'slow' }));
	expect(polls().length).toBeGreaterThanOrEqual(4);
});

test('a run much shorter than learned is still seen, within the max poll interval, and is learned', async () => {
	for (let i = 0; i < 3; i++) learnedDurations.record('three-steps', { afterMs: 8000, byMs: 8100 });
	const { runId } = await client.runWorkflow('three-steps');
	const run = await client.waitForRun(runId, { timeoutMs: 10_000, maxPollIntervalMs: 1000, workflowId: 'three-steps' });
	expect(run.status).toBe('C');
	expect(polls().length).toBeLessThanOrEqual(3);
	expect(learnedDurations.samples('three-steps')).toHaveLength(4);
});

test('waits until running, runs that fail, and runs the caller did not name teach nothing', async () => {
	const { runId } = await client.runWorkflow('slow');
	await client.waitForRun(runId, { until: 'running', timeoutMs: 5000, workflowId: 'slow' });
	const { runId: failing } = await client.runWorkflow('fails');
	await failure(client.waitForRun(failing, { timeoutMs: 5000, workflowId: 'fails' }));
	// A run started elsewhere, at an unknown time: its end, timed from the wait's start, would mislead.
	const { runId: elsewhere } = await client.runWorkflow('three-steps');
	await client.waitForRun(elsewhere, { timeoutMs: 5000 });
	expect(learnedDurations.size).toBe(0);
});
