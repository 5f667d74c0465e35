/** Workflow runs: real-time progression, failure, results, cancellation, parallelism. */
import type { WitriumSimulator } from '../../simulator/index';
import { ISO_8601, sleep, startSimulator, waitFor, waitForStatus, type Caller } from './helpers';

let sim: WitriumSimulator;
let call: Caller;

const THREE_STEPS = [
	{ instruction: 'Go to https://shop.example.com', durationMs: 50, result: { title: 'Shop' }, resultFormat: 'json' },
	{ instruction: 'Click "Listings"', durationMs: 50 },
	{ instruction: 'Extract the listings', durationMs: 50 },
];

beforeAll(async () => {
	({ sim, call } = await startSimulator());
});
beforeEach(() => {
	sim.reset();
	sim.define({
		workflows: [
			{
				id: 'scrape',
				name: 'Scrape',
				description: 'Scrapes',
				startDelayMs: 40,
				steps: THREE_STEPS,
				result: [{ id: 1 }],
				resultFormat: 'json',
			},
			{ id: 'fails', startDelayMs: 10, steps: THREE_STEPS, failAtStep: 2, errorMessage: 'Element not found: #pay' },
			{ id: 'slow', startDelayMs: 10, steps: [{ instruction: 'Wait', durationMs: 5000 }] },
			{ id: 'echo', startDelayMs: 5, steps: [], result: { ok: true, who: '{{args.user}}' }, echoArgs: true },
		],
	});
});
afterAll(() => sim.stop());

test('a run goes P → R → C in real time, executions growing step by step', async () => {
	const submitted = await call('POST', '/v1/workflows/scrape/run', { args: { page: 1 } });
	expect(submitted.status).toBe(200);
	expect(submitted.json).toEqual({ workflow_id: 'scrape', run_id: expect.any(String), status: 'P' });
	const runId = submitted.json.run_id;

	// Record every distinct view of the run until it completes.
	const views: Array<{ status: string; steps: string }> = [];
	const final = await waitFor(
		async () => {
			const { json } = await call('GET', `/v1/runs/${runId}/results`);
			const view = { status: json.status, steps: json.executions.map((step: { status: string }) => step.status).join('') };
			const previous = views[views.length - 1];
			if (!previous || previous.status !== view.status || previous.steps !== view.steps) views.push(view);
			if (json.status !== 'C') expect(json.result).toBeNull();
			return json;
		},
		(json) => json.status === 'C',
	);

	// Polling every few ms sees every view of 50 ms steps; on a loaded machine one may slip
	// by, so require the views in order, the first and last, and most of the ones between.
	const expected = [
		{ status: 'P', steps: '' },
		{ status: 'R', steps: 'R' },
		{ status: 'R', steps: 'CR' },
		{ status: 'R', steps: 'CCR' },
		{ status: 'C', steps: 'CCC' },
	];
	const positions = views.map((view) => expected.findIndex((candidate) => candidate.status === view.status && candidate.steps === view.steps));
	expect(positions).not.toContain(-1);
	expect(positions).toEqual([...positions].sort((a, b) => a - b));
	expect(positions[0]).toBe(0);
	expect(positions[positions.length - 1]).toBe(4);
	expect(positions.length).toBeGreaterThanOrEqual(4);
	expect(final).toEqual({
		workflow_id: 'scrape',
		run_id: runId,
		status: 'C',
		started_at: expect.stringMatching(ISO_8601),
		completed_at: expect.stringMatching(ISO_8601),
		message: null,
		executions: THREE_STEPS.map((step, index) => ({
			status: 'C',
			instruction_order: index + 1,
			instruction: step.instruction,
			result: step.result ?? null,
			result_format: step.resultFormat ?? null,
			error_message: null,
		})),
		result: [{ id: 1 }],
		result_format: 'json',
		error_message: null,
	});
	const run = sim.runs()[0];
	expect(run.startedAt! - run.submittedAt).toBeGreaterThanOrEqual(35);
	expect(run.completedAt! - run.startedAt!).toBeGreaterThanOrEqual(145);
});

test('a run failing at step k ends F at that step with the error message', async () => {
	const { json } = await call('POST', '/v1/workflows/fails/run');
	const final = await waitForStatus(call, json.run_id, ['C', 'F', 'X']);
	expect(final.status).toBe('F');
	expect(final.error_message).toBe('Element not found: #pay');
	expect(final.result).toBeNull();
	expect(final.executions.map((step: { status: string }) => step.status)).toEqual(['C', 'F']);
	expect(final.executions[1].error_message).toBe('Element not found: #pay');
	expect(final.completed_at).toMatch(ISO_8601);
});

test('the final result can fill in and echo the run’s args', async () => {
	const { json } = await call('POST', '/v1/workflows/echo/run', { args: { user: 'ada', n: 2 } });
	const final = await waitForStatus(call, json.run_id, ['C']);
	expect(final.result).toEqual({ ok: true, who: 'ada', args: { user: 'ada', n: 2 } });
});

test('define() replaces a workflow by id; a run keeps the definition it started with', async () => {
	const first = (await call('POST', '/v1/workflows/echo/run', { args: { user: 'a' } })).json.run_id;
	sim.define({ workflows: [{ id: 'echo', startDelayMs: 5, steps: [], result: { version: 2 } }] });
	const second = (await call('POST', '/v1/workflows/echo/run')).json.run_id;
	expect((await waitForStatus(call, first, ['C'])).result).toEqual({ ok: true, who: 'a', args: { user: 'a' } });
	expect((await waitForStatus(call, second, ['C'])).result).toEqual({ version: 2 });
	expect(sim.runCount('echo')).toBe(2);
});

test('skip_goto_url_instruction skips a leading "go to" step', async () => {
	const { json } = await call('POST', '/v1/workflows/scrape/run', { skip_goto_url_instruction: true });
	const final = await waitForStatus(call, json.run_id, ['C']);
	expect(final.executions.map((step: { instruction_order: number }) => step.instruction_order)).toEqual([2, 3]);
});

describe('cancel', () => {
	test('a running run becomes X at once, its current step too, and the record has the documented shape', async () => {
		const runId = (await call('POST', '/v1/workflows/slow/run')).json.run_id;
		await waitForStatus(call, runId, ['R']);
		const res = await call('POST', `/v1/runs/${runId}/cancel`);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			uuid: runId,
			session_id: null,
			workflow: { uuid: 'slow', name: null, description: null },
			run_type: 'workflow',
			triggered_by: 'api',
			status: 'X',
			session_active: false,
			started_at: expect.stringMatching(ISO_8601),
			completed_at: expect.stringMatching(ISO_8601),
			error_message: null,
			executions: [
				{
					instruction_id: expect.any(String),
					instruction: 'Wait',
					result: null,
					result_format: null,
					message: null,
					status: 'X',
					error_message: null,
				},
			],
		});
		expect((await call('GET', `/v1/runs/${runId}/results`)).json.status).toBe('X');
		expect(sim.runs()[0].cancelledAt).not.toBeNull();
	});

	test('a pending run is cancelled before it ever starts', async () => {
		const runId = (await call('POST', '/v1/workflows/scrape/run')).json.run_id;
		expect((await call('POST', `/v1/runs/${runId}/cancel`)).json.status).toBe('X');
		await sleep(80);
		const run = sim.runs()[0];
		expect(run.status).toBe('X');
		expect(run.startedAt).toBeNull();
	});

	test('cancelling a finished run returns its record unchanged', async () => {
		const runId = (await call('POST', '/v1/workflows/echo/run')).json.run_id;
		const done = await waitForStatus(call, runId, ['C']);
		const res = await call('POST', `/v1/runs/${runId}/cancel`);
		expect(res.status).toBe(200);
		expect(res.json.status).toBe('C');
		expect(res.json.completed_at).toBe(done.completed_at);
		expect(sim.runs()[0].cancelledAt).toBeNull();
	});
});

test('runs without a session run in parallel, each in its own browser', async () => {
	const ids = await Promise.all(
		[1, 2, 3].map(async () => (await call('POST', '/v1/workflows/scrape/run')).json.run_id as string),
	);
	for (const id of ids) await waitForStatus(call, id, ['C']);
	expect(sim.maxConcurrentRuns()).toBe(3);
	const runs = sim.runs();
	const lastStart = Math.max(...runs.map((run) => run.startedAt!));
	const firstEnd = Math.min(...runs.map((run) => run.completedAt!));
	expect(lastStart).toBeLessThan(firstEnd);
});
