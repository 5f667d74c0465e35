/**
 * One poll at a time per trigger (issue 17 item 1). n8n starts a poll on schedule even while the
 * previous one still runs (1.x: the cron's onTick, 2.x: `void executePollTrigger()`), on the
 * same static data. Here the ticks overlap through n8n-core's poll executor (the poll harness):
 * the second tick comes while the first still waits for its run.
 */
import { makeClient } from '../client/helpers';
import { takeLease } from '../../src/n8n/trigger/lease';
import { TOKEN, heldWorkflow, makeTrigger, mostRunsAtOnce, runIds, useSimulator } from './helpers';

const sim = useSimulator();

describe.each(['inMemory', 'durable', 'staged'] as const)('a tick while the last poll still waits (static data %s)', (cursorMode) => {
	test('finds it in flight and returns nothing: the run is settled once, emitted once, and no second run starts', async () => {
		const wf = heldWorkflow({ result: { listings: 3 } });
		sim.define({ workflows: [wf] });
		// Max Wait per Poll longer than the time between ticks (n8n 2.x allows it).
		const trigger = makeTrigger(
			sim.url,
			{ workflowId: wf.id, emit: 'always', options: { maxWait: 60 } },
			{ cursorMode, pollBudgetMs: 90_000 },
		);
		await trigger.activate();

		const first = trigger.poll('trigger');
		await sim.until(() => runIds(sim, wf.id).length === 1);
		const [running] = runIds(sim, wf.id);
		const second = trigger.poll('trigger'); // the next tick, the first poll still waiting
		sim.endRun(running);

		const emitted = [trigger.json(await first), trigger.json(await second)];
		expect(emitted).toEqual([[expect.objectContaining({ runId: running, status: 'C' })], null]);
		expect(runIds(sim, wf.id)).toEqual([running]);
		expect(trigger.staticData().pendingRun).toBeUndefined();

		// The next tick goes on as usual: it starts the next run.
		const third = trigger.poll('trigger');
		await sim.until(() => runIds(sim, wf.id).length === 2);
		sim.endRun(runIds(sim, wf.id)[1]);
		expect(trigger.json(await third)).toEqual([expect.objectContaining({ runId: runIds(sim, wf.id)[1] })]);
		expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
	});
});

test('ticks while a poll waits for the run an earlier poll started: that run is emitted once, and one next run starts', async () => {
	const wf = heldWorkflow({ result: { listings: 4 } });
	sim.define({ workflows: [wf] });
	const { runId: carried } = await makeClient(sim.url, { apiToken: TOKEN }).runWorkflow(wf.id);
	const trigger = makeTrigger(
		sim.url,
		{ workflowId: wf.id, emit: 'always', options: { maxWait: 60 } },
		{ stored: { pendingRun: { runId: carried, startedAt: new Date().toISOString() } } },
	);
	await trigger.activate();

	const waiting = trigger.poll('trigger');
	await sim.until(() => sim.requests.some((request) => request.endpoint === 'getResults' && request.path.includes(carried)));
	const overlapping = trigger.poll('trigger');
	sim.endRun(carried);
	await sim.until(() => runIds(sim, wf.id).length > 1);
	for (const runId of runIds(sim, wf.id).slice(1)) sim.endRun(runId);

	const emitted = [...(trigger.json(await waiting) ?? []), ...(trigger.json(await overlapping) ?? [])].map((item) => item.runId);
	const [, next] = runIds(sim, wf.id);
	expect(emitted).toEqual([carried, next]);
	expect(runIds(sim, wf.id)).toHaveLength(2);
	expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
});

describe('the lease', () => {
	afterEach(() => {
		jest.useRealTimers();
	});

	test('one holder at a time; free again once released', () => {
		const release = takeLease('wf\u0000node-a', 1000);
		expect(release).toBeDefined();
		expect(takeLease('wf\u0000node-a', 1000)).toBeUndefined();
		expect(takeLease('wf\u0000node-b', 1000)).toBeDefined(); // another trigger
		release!();
		expect(takeLease('wf\u0000node-a', 1000)).toBeDefined();
	});

	test('a poll that never ends blocks the trigger only until its budget and five minutes have passed', () => {
		jest.useFakeTimers({ now: Date.now() });
		expect(takeLease('wf\u0000hung', 45_000)).toBeDefined(); // never released
		jest.advanceTimersByTime(45_000 + 299_000);
		expect(takeLease('wf\u0000hung', 45_000)).toBeUndefined();
		jest.advanceTimersByTime(2000);
		const next = takeLease('wf\u0000hung', 45_000);
		expect(next).toBeDefined();
	});
});
