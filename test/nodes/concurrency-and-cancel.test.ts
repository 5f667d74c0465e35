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

	const out = output(result, 'Run');
	expect(out.map((item) => (item.json.result as { args: { index: number } }).args.index)).toEqual(items.map((item) => item.index));
	expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	expect(sim.maxConcurrentRuns()).toBeLessThanOrEqual(5);
	expect(sim.maxConcurrentRuns()).toBeGreaterThanOrEqual(4);
	for (const sessionId of sessions) expect(sim.maxConcurrentRuns({ sessionId })).toBe(1);
	// items of one session ran in item order
	const inSessionA = sim.runs().filter((run) => run.sessionId === sessions[0]).sort((a, b) => a.submittedAt - b.submittedAt);
	expect(inSessionA.map((run) => run.args.index)).toEqual([0, 1, 2, 3]);
});

test.each([
	[[1, 4, 4, 4], (most: number) => expect(most).toBe(1)],
	[[4, 1, 1, 1], (most: number) => expect(most).toBeGreaterThan(1)],
])('Max Concurrency is read from the first item (per item %j)', async (perItem, check) => {
	const result = await runWorkflow(
		line(
			[node('Run', 'witriumRunWorkflow', { workflowId: STEADY, browserSessionId: '', options: { maxConcurrency: '={{ $json.most }}' } })],
			perItem.map((most) => ({ most })),
		),
		{ credentials: credentials() },
	);
	expect(output(result, 'Run')).toHaveLength(4);
	check(sim.maxConcurrentRuns());
});

test('stopping the execution mid-wait cancels the run it started before the node returns', async () => {
	const abort = new AbortController();
	const pending = runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: ENDLESS, browserSessionId: '' })]), {
		credentials: credentials(),
		signal: abort.signal,
	});
	await sim.until(() => sim.runs().some((run) => run.status === 'R'));
	abort.abort();
	const result = await pending;
	expect(result.cancellation).toMatchObject({ nodeStillRunning: false });
	expect(sim.runs().map((run) => run.status)).toEqual(['X']);
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
	await sim.until(() => sim.runs().filter((run) => run.status === 'R').length === 3);
	abort.abort();
	const result = await pending;
	// The node has returned: whatever it started is on the record, and all of it is cancelled.
	expect(result.cancellation).toMatchObject({ nodeStillRunning: false });
	expect(sim.runs().map((run) => run.status)).toEqual(['X', 'X', 'X']);
});
