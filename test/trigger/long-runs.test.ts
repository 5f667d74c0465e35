/**
 * Runs longer than a poll's budget, activation, and a save of the active workflow, through
 * n8n-core's poll executor (the harness's `activate()` is its activation poll, testingTrigger =
 * true; `restart()` rebuilds the workflow from the stored static data as a save or restart does).
 */
import type { IDataObject } from 'n8n-workflow';

import type { PollHarnessOptions } from '../harness';
import { contentOf, failure, heldWorkflow, makeTrigger, mostRunsAtOnce, runIds, simWorkflow, useSimulator } from './helpers';

const sim = useSimulator();

/** Run ids of a simulator workflow, in the order they were started. */
const startedRuns = (definitionId: string) => runIds(sim, definitionId);

const requestsFor = (definitionId: string) =>
	sim.requests.filter(
		(request) => request.path.includes(definitionId) || startedRuns(definitionId).some((id) => request.path.includes(id)),
	);

/**
 * Polls of 1 s, as each engine gets them: n8n's default engine (static data in memory) gives no
 * lease, so Max Wait per Poll bounds the poll; the durable scheduler (staged) gives a leased budget.
 */
const shortPolls = (cursorMode: 'inMemory' | 'staged' | 'durable', parameters: IDataObject): [IDataObject, PollHarnessOptions] =>
	cursorMode === 'inMemory'
		? [{ ...parameters, options: { maxWait: 1 } }, { cursorMode }]
		: [parameters, { pollBudgetMs: 1000, cursorMode }];

describe.each(['inMemory', 'staged', 'durable'] as const)('every poll starts a run (static data %s)', (cursorMode) => {
	test('N polls: a run started at each; each emits the run the previous poll started, once; never two at once', async () => {
		// Each run outlasts its poll's budget (1 s) and ends between two polls.
		const wf = heldWorkflow({ result: { done: true } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, ...shortPolls(cursorMode, { workflowId: wf.id, emit: 'always' }));

		const emitted: unknown[][] = [];
		for (let poll = 0; poll < 4; poll++) {
			const { output } = await trigger.tick();
			emitted.push((trigger.json(output) ?? []).map((item) => item.runId));
			if (poll < 3) sim.endRun(startedRuns(wf.id)[poll]); // the run ends before the next poll
		}
		const started = startedRuns(wf.id);
		expect(started).toHaveLength(4);
		expect(emitted).toEqual([[], [started[0]], [started[1]], [started[2]]]);
		expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
		expect((trigger.staticData().pendingRun as IDataObject).runId).toBe(started[3]);
	});
});

describe('activation (the poll n8n runs when it activates the workflow)', () => {
	test('sends nothing to Witrium: it never waits on a run and never fails because of one', async () => {
		const wf = simWorkflow({ stepCount: 1, stepMs: 50, failAtStep: 1, errorMessage: 'Login form not found' });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 2000 });
		const before = sim.requests.length;
		expect(await trigger.activate()).toBeNull();
		expect(sim.requests.length).toBe(before);
		expect(contentOf(trigger.staticData())).toEqual({});

		// The first scheduled poll runs the workflow and reports its failure.
		const error = await failure(trigger.tick());
		expect(error.message).toContain('Login form not found');
		expect(startedRuns(wf.id)).toHaveLength(1);
	});

	test('still checks the parameters: bad input fails the activation, saying what to fix', async () => {
		const trigger = makeTrigger(sim.url, { workflowId: ' ' });
		const error = await failure(trigger.activate());
		expect(error.message).toBe('Workflow ID is empty');
	});

	test('a remembered run that failed does not fail the activation; the next poll reports it once and starts the next run', async () => {
		const wf = heldWorkflow();
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 1000, cursorMode: 'staged' });
		expect((await trigger.tick()).output).toBeNull();
		const [failing] = startedRuns(wf.id);
		sim.endRun(failing, { fail: 'Timed out' }); // the run fails meanwhile

		trigger.restart();
		expect(await trigger.activate()).toBeNull();
		expect(trigger.storedStaticData().pendingRun).toMatchObject({ runId: failing });

		const error = await failure(trigger.tick());
		expect(error.message).toContain(failing);
		const started = startedRuns(wf.id);
		expect(started).toHaveLength(2);
		expect(trigger.storedStaticData().pendingRun).toMatchObject({ runId: started[1] });
	});
});

describe('a save of the active workflow (n8n re-activates it from the stored static data)', () => {
	test('n8n kept the carried-over run in memory only: after the save it is still picked up, never a second run at once', async () => {
		const wf = heldWorkflow({ result: { done: true } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, ...shortPolls('inMemory', { workflowId: wf.id, emit: 'always' }));
		// A run carried over by a poll that emitted nothing: n8n kept that in memory only.
		expect((await trigger.tick()).output).toBeNull();
		const carried = (trigger.staticData().pendingRun as IDataObject).runId;
		expect(trigger.storedStaticData().pendingRun).toBeUndefined();

		trigger.restart();
		expect(await trigger.activate()).toBeNull();
		expect((await trigger.tick()).output).toBeNull(); // still going: picked up, nothing started beside it
		sim.endRun(String(carried));
		const { output } = await trigger.tick();
		expect(trigger.json(output)!.map((item) => item.runId)).toEqual([carried]);
		expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
		expect(requestsFor(wf.id).filter((r) => r.endpoint === 'runWorkflow').length).toBe(startedRuns(wf.id).length);
	});
});

describe('a run over under a status code outside P R C F X (completed_at set)', () => {
	test('is reported at once naming the code, never carried over or cancelled; the next poll starts the next run', async () => {
		const wf = simWorkflow({ stepCount: 1, stepMs: 50, endStatus: 'E' });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 2000 });
		const error = await failure(trigger.tick());
		expect(error.message).toMatch(/^Run \S+ of workflow \S+ ended with status "E", a code this trigger does not know/);
		expect(trigger.staticData().pendingRun).toBeUndefined();
		await failure(trigger.tick());
		expect(startedRuns(wf.id)).toHaveLength(2);
		expect(sim.requests.filter((request) => request.endpoint === 'cancelRun')).toHaveLength(0);

		const items = makeTrigger(sim.url, { workflowId: wf.id, options: { failOnRunFailure: false } }, { pollBudgetMs: 2000 });
		expect(items.json((await items.tick()).output)).toEqual([expect.objectContaining({ status: 'E', completedAt: expect.any(String) })]);
	});
});

test('a save while a poll is still waiting for the run it started: that run is picked up afterwards, never a second one at once', async () => {
	const wf = heldWorkflow({ result: { done: true } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, ...shortPolls('inMemory', { workflowId: wf.id, emit: 'always' }));
	await trigger.activate();
	const inFlight = trigger.poll('trigger');
	await sim.until(() => startedRuns(wf.id).length > 0); // the poll started its run and waits for it

	trigger.restart(); // n8n re-activates while that poll is still going
	expect(await trigger.activate()).toBeNull();
	expect(await inFlight).toBeNull();
	const [carried] = startedRuns(wf.id);
	expect((await trigger.tick()).output).toBeNull(); // still going: picked up, nothing started beside it
	sim.endRun(carried);

	const { output } = await trigger.tick();
	expect(trigger.json(output)!.map((item) => item.runId)).toEqual([carried]);
	expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
});
