/**
 * Issue 22, items 2 to 8, each as n8n's poll machinery meets it (the harness models n8n 2.40's
 * three ways of keeping a poller's state: `inMemory`, the default engine; `durable`, the durable
 * scheduler with durable cursors off; `staged`, with durable cursors on). Item 1 is the `durable`
 * rows of long-runs.test.ts and trigger.test.ts. Runs last until the test ends them.
 */
import type { IDataObject } from 'n8n-workflow';

import type { WitriumClient } from '../../src/client';
import { makeClient } from '../client/helpers';
import { TOKEN, contentOf, failure, heldWorkflow, makeTrigger, mostRunsAtOnce, runIds, useSimulator } from './helpers';

const sim = useSimulator();

afterEach(() => {
	sim.clearFaults();
});

const PROXY_404 = '<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>';
const pendingRunId = (data: IDataObject) => (data.pendingRun as IDataObject | undefined)?.runId;

describe.each(['inMemory', 'durable', 'staged'] as const)('static data %s', (cursorMode) => {
	test('item 2: a start answered after the poll’s soft deadline is waited for: its run is kept, and no second run starts beside it', async () => {
		const wf = heldWorkflow({ result: { price: 1 } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, options: { maxWait: 1 } }, { pollBudgetMs: 1000, cursorMode });
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'delay', delayMs: 2500 }); // the run exists; the answer comes late
		expect((await trigger.tick()).output).toBeNull();
		expect(runIds(sim, wf.id)).toHaveLength(1);

		expect((await trigger.tick()).output).toBeNull(); // that run still going
		expect(runIds(sim, wf.id)).toHaveLength(1);
		sim.endRun(runIds(sim, wf.id)[0]);
		const { output } = await trigger.tick();
		expect(trigger.json(output)).toEqual([expect.objectContaining({ runId: runIds(sim, wf.id)[0], result: { price: 1 } })]);
		expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
	});

	test('item 4: a poll n8n drops after it started the next run: the run it settled is emitted by the next poll (emit always)', async () => {
		const wf = heldWorkflow({ result: { price: 1 } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(
			sim.url,
			{ workflowId: wf.id, emit: 'always', options: { maxWait: 3 } },
			{ pollBudgetMs: 3000, cursorMode },
		);
		await trigger.activate();
		const first = trigger.poll('trigger');
		await sim.until(() => runIds(sim, wf.id).length === 1);
		const [settled] = runIds(sim, wf.id);
		expect(await first).toBeNull(); // waited its budget: the run is carried
		sim.endRun(settled);

		const dropped = trigger.poll('trigger'); // settles that run, starts the next
		await sim.until(() => runIds(sim, wf.id).length === 2);
		trigger.restart(); // published while it waits for the next run: n8n drops what it returns
		expect(await trigger.activate()).toBeNull();
		expect(await dropped).toBeNull();

		const { output } = await trigger.tick();
		expect(trigger.json(output)).toEqual([expect.objectContaining({ runId: settled })]);
		expect(runIds(sim, wf.id)).toHaveLength(2);
		expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
	});

	test('item 5: a remembered run that cannot be read (a proxy’s 404, every time) is given up after "Give Up After": the next poll starts a fresh run', async () => {
		const wf = heldWorkflow();
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(
			sim.url,
			{ workflowId: wf.id, options: { giveUpAfter: 0.004, maxWait: 1 } },
			{ pollBudgetMs: 1000, cursorMode },
		);
		expect((await trigger.tick()).output).toBeNull();
		const [unreadable] = runIds(sim, wf.id);
		sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: PROXY_404, times: 1000 });
		// The first poll waited its budget (1 s): the run is older than Give Up After (0.24 s).

		const error = await failure(trigger.tick());
		expect(error.message).toContain(`Run ${unreadable}`);
		expect(error.message).toMatch(/could not be read/);
		expect(sim.runs().find((r) => r.runId === unreadable)?.status).toBe('X'); // cancelled
		sim.clearFaults();

		await trigger.tick().catch(() => undefined);
		expect(runIds(sim, wf.id)).toHaveLength(2);
	});

	test('item 7: a durable poll budget of 5 minutes or more (N8N_SCHEDULER_POLL_TIMEOUT of 400 s) still starts runs', async () => {
		const wf = heldWorkflow();
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, options: { maxWait: 1 } }, { pollBudgetMs: 320_000, cursorMode });
		await trigger.tick();
		expect(runIds(sim, wf.id)).toHaveLength(1);
	});
});

test('item 3 (durable cursors on): the run a poll starts is stored right after the start, before the poll ends', async () => {
	const wf = heldWorkflow();
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id, options: { maxWait: 3 } }, { pollBudgetMs: 3000, cursorMode: 'staged' });
	const poll = trigger.tick();
	await sim.until(() => runIds(sim, wf.id).length === 1);
	await sim.until(() => pendingRunId(trigger.storedStaticData()) === runIds(sim, wf.id)[0]);
	expect((await poll).output).toBeNull();
});

test('item 6: a state another main stored since is never overruled by this process’s older copy', async () => {
	const wf = heldWorkflow({ result: { from: 'the other main' } });
	sim.define({ workflows: [wf] });
	const first = makeTrigger(sim.url, { workflowId: wf.id, emit: 'always', options: { maxWait: 1 } });
	expect((await first.tick()).output).toBeNull();
	const [ours] = runIds(sim, wf.id); // carried in this process's memory only

	// Leadership moved to another main, which started and stored its own run; then back here.
	const { runId: theirs } = await makeClient(sim.url, { apiToken: TOKEN }).runWorkflow(wf.id);
	const stored = { pendingRun: { runId: theirs, startedAt: new Date().toISOString() }, rev: 7, lineage: 'other-main' };
	const back = makeTrigger(
		sim.url,
		{ workflowId: wf.id, emit: 'always', options: { maxWait: 1 } },
		{ stored, workflowId: first.workflow.id! },
	);
	sim.endRun(theirs);
	const { output } = await back.tick();
	expect(back.json(output)).toEqual([expect.objectContaining({ runId: theirs, result: { from: 'the other main' } })]);
	// This main's own old run is not picked up again: the run going now is one this poll started.
	expect([ours, theirs]).not.toContain(pendingRunId(contentOf(back.staticData())));
	expect(runIds(sim, wf.id)).toHaveLength(3);
});

describe('item 8: Session Change', () => {
	let client: WitriumClient;
	beforeAll(() => {
		client = makeClient(sim.url, { apiToken: TOKEN });
	});

	test('the activation poll sends nothing to Witrium, so a Witrium outage cannot fail it', async () => {
		const trigger = makeTrigger(sim.url, { event: 'sessionChange' });
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 503, times: 1000 });
		const before = sim.requests.length;
		expect(await trigger.activate()).toBeNull();
		expect(sim.requests.length).toBe(before);
	});

	test('events of a poll n8n dropped are emitted by the next poll', async () => {
		sim.reset();
		const trigger = makeTrigger(sim.url, { event: 'sessionChange' });
		expect((await trigger.tick()).output).toBeNull(); // records: none open
		const session = await client.createSession();
		sim.injectFault({ endpoint: 'listSessions', kind: 'delay', delayMs: 300 });
		const dropped = trigger.poll('trigger');
		await sim.until(() => sim.requests.filter((request) => request.endpoint === 'listSessions').length >= 2);
		trigger.restart(); // published while it lists the sessions
		await trigger.activate();
		expect(await dropped).toBeNull();

		const { output } = await trigger.tick();
		expect(trigger.json(output)).toEqual([expect.objectContaining({ event: 'started', browserSessionId: session.uuid })]);
		await client.closeSession(session.uuid, { force: true });
	});
});
