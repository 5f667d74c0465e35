import { runWorkflow } from '../harness';
import { line, node, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

const STEADY = 'eeeeeeee-0000-4000-8000-000000000001';
const ENDLESS = 'eeeeeeee-0000-4000-8000-000000000002';
const RUN_MS = 400;

beforeAll(() => {
	sim.define({
		workflows: [
			{ id: STEADY, startDelayMs: 0, steps: [{ instruction: 'Work', durationMs: RUN_MS }], echoArgs: true, result: {} },
			{ id: ENDLESS, startDelayMs: 0, steps: [{ instruction: 'Never ends', durationMs: 600_000 }] },
		],
	});
});

test('20 items at maxConcurrency 5: at most 5 runs at once, never two in one session, output in input order', async () => {
	const sessions: string[] = [];
	for (let i = 0; i < 2; i++) {
		const created = await runWorkflow(line([node('Create', 'witriumBrowserSession')]), { credentials: credentials() });
		sessions.push(output(created, 'Create')[0].json.browserSessionId as string);
	}
	// items 0-3 share session A, items 4-7 share session B, the other 12 get fresh browsers
	const items = Array.from({ length: 20 }, (_, index) => ({ index, browserSessionId: index < 4 ? sessions[0] : index < 8 ? sessions[1] : '' }));

	const started = Date.now();
	const result = await runWorkflow(
		line(
			[
				node('Run', 'witriumRunWorkflow', {
					workflowId: STEADY,
					arguments: { argument: [{ name: 'index', value: '={{ $json.index }}' }] },
					options: { maxConcurrency: 5 },
				}),
			],
			items,
		),
		{ credentials: credentials() },
	);
	const wallMs = Date.now() - started;

	const out = output(result, 'Run');
	expect(out.map((item) => (item.json.result as { args: { index: number } }).args.index)).toEqual(items.map((item) => item.index));
	expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	expect(sim.maxConcurrentRuns()).toBeLessThanOrEqual(5);
	expect(sim.maxConcurrentRuns()).toBeGreaterThanOrEqual(4);
	for (const sessionId of sessions) expect(sim.maxConcurrentRuns({ sessionId })).toBe(1);
	// items of one session ran in item order
	const inSessionA = sim.runs().filter((run) => run.sessionId === sessions[0]).sort((a, b) => a.submittedAt - b.submittedAt);
	expect(inSessionA.map((run) => run.args.index)).toEqual([0, 1, 2, 3]);
	// ideal: 20 runs / 5 slots × 400 ms = 1.6 s; detection and HTTP add a little per run
	const ideal = (20 / 5) * RUN_MS;
	console.log(`20 items at maxConcurrency 5: ${wallMs} ms wall, ideal ${ideal} ms (${(wallMs / ideal).toFixed(2)}×)`);
	expect(wallMs).toBeLessThan(ideal * 3);
});

test('stopping the execution mid-wait cancels the run it started within 2 s', async () => {
	const abort = new AbortController();
	const pending = runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: ENDLESS, browserSessionId: '' })]), {
		credentials: credentials(),
		signal: abort.signal,
	});
	while (!sim.runs().some((run) => run.status === 'R')) await new Promise((resolve) => setTimeout(resolve, 20));
	const stoppedAt = Date.now();
	abort.abort();
	const result = await pending;
	while (sim.runs()[0].status !== 'X' && Date.now() - stoppedAt < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
	const cancelLatency = (sim.runs()[0].cancelledAt ?? Infinity) - stoppedAt;
	console.log(`cancel latency after stopping the execution: ${cancelLatency} ms`);
	expect(sim.runs()[0].status).toBe('X');
	expect(cancelLatency).toBeLessThan(2000);
	expect(result.cancellation).toBeDefined();
});

test('stopping the execution cancels every run in flight and starts no more items', async () => {
	const abort = new AbortController();
	const pending = runWorkflow(
		line(
			[node('Run', 'witriumRunWorkflow', { workflowId: ENDLESS, browserSessionId: '', options: { maxConcurrency: 3 } })],
			Array.from({ length: 6 }, (_, index) => ({ index })),
		),
		{ credentials: credentials(), signal: abort.signal },
	);
	while (sim.runs().filter((run) => run.status === 'R').length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
	abort.abort();
	await pending;
	const deadline = Date.now() + 2000;
	while (sim.runs().some((run) => run.status !== 'X') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
	expect(sim.runs().map((run) => run.status)).toEqual(['X', 'X', 'X']);
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(sim.runs()).toHaveLength(3);
});
