/**
 * From one run to the next (issue 17 items 2 to 6): a finished run is emitted once n8n takes it,
 * whatever happens to the start of the next run or the wait for it, and the next run is started
 * only with time left for it and only while the workflow is still the active one. Runs last until
 * the test ends them (`sim.endRun`).
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IDataObject } from 'n8n-workflow';

import { makeClient } from '../client/helpers';
import { TOKEN, failure, heldWorkflow, makeTrigger, mostRunsAtOnce, runIds, useSimulator } from './helpers';

const sim = useSimulator();

afterEach(() => {
	sim.clearFaults();
});

const pendingRunId = (data: IDataObject) => (data.pendingRun as IDataObject | undefined)?.runId;

test('a run seen finished with little of the poll left: no start squeezed into the rest, so no run is started twice', async () => {
	const wf = heldWorkflow({ result: { price: 1 } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'always', options: { maxWait: 2 } });
	expect((await trigger.tick()).output).toBeNull();
	const [carried] = runIds(sim, wf.id);
	sim.endRun(carried);

	// Witrium is slow: the finished run's status comes with 0.3 s of the poll left; a start takes 1 s.
	sim.injectFault({ endpoint: 'getResults', kind: 'delay', delayMs: 1500 });
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'delay', delayMs: 1000 });
	await trigger.tick().catch((error: Error) => error);

	const { output } = await trigger.tick();
	expect(trigger.json(output)).toEqual([expect.objectContaining({ runId: carried })]);
	const started = runIds(sim, wf.id);
	expect(started).toHaveLength(2);
	expect(pendingRunId(trigger.staticData())).toBe(started[1]);
	expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
});

describe.each([
	['changed', { price: 1 }, { price: 2 }, [{ price: 2 }]],
	['newItems', [{ id: 1 }], [{ id: 1 }, { id: 2 }], [{ id: 2 }]],
] as const)(
	'emit = %s: a result n8n dropped (2.x drops a poll that ran while the workflow was published)',
	(emit, before, after, expected) => {
		test('does not count as emitted: the change is emitted by a later poll', async () => {
			const wf = heldWorkflow({ result: before });
			sim.define({ workflows: [wf] });
			const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit, dedupeField: 'id', options: { maxWait: 60 } });
			await trigger.activate();
			const first = trigger.poll('trigger');
			await sim.until(() => runIds(sim, wf.id).length === 1);
			sim.endRun(runIds(sim, wf.id)[0]);
			expect(trigger.json(await first)).toHaveLength(1);

			sim.define({ workflows: [{ ...wf, result: after }] });
			const dropped = trigger.poll('trigger');
			await sim.until(() => runIds(sim, wf.id).length === 2);
			trigger.restart(); // published while that poll waits for its run
			expect(await trigger.activate()).toBeNull();
			sim.endRun(runIds(sim, wf.id)[1]);
			expect(await dropped).toBeNull(); // n8n took nothing

			const next = trigger.poll('trigger');
			await sim.until(() => runIds(sim, wf.id).length === 3);
			sim.endRun(runIds(sim, wf.id)[2]);
			expect(trigger.json(await next)?.map((item) => item.result)).toEqual(expected);
		});
	},
);

test('published while a poll waits for the run an earlier poll started: n8n drops that poll; the new activation emits the run once, never two runs at once', async () => {
	const wf = heldWorkflow({ result: { price: 1 } });
	sim.define({ workflows: [wf] });
	const { runId: carried } = await makeClient(sim.url, { apiToken: TOKEN }).runWorkflow(wf.id);
	const trigger = makeTrigger(
		sim.url,
		{ workflowId: wf.id, emit: 'always', options: { maxWait: 3 } },
		{ stored: { pendingRun: { runId: carried, startedAt: new Date().toISOString() } } },
	);
	await trigger.activate();
	const superseded = trigger.poll('trigger');
	await sim.until(() => sim.requests.some((request) => request.endpoint === 'getResults' && request.path.includes(carried)));
	trigger.restart();
	expect(await trigger.activate()).toBeNull();
	sim.endRun(carried);
	expect(await superseded).toBeNull(); // n8n took nothing
	// That poll may have started the next run: this process's copy of the state carries it.
	const startedBySuperseded = runIds(sim, wf.id).length;

	const { output } = await trigger.tick();
	expect(trigger.json(output)).toEqual([expect.objectContaining({ runId: carried })]);
	expect(runIds(sim, wf.id)).toHaveLength(2);
	if (startedBySuperseded === 2) expect(pendingRunId(trigger.staticData())).toBe(runIds(sim, wf.id)[1]);
	expect(mostRunsAtOnce(sim, wf.id)).toBe(1);
});

test('the wait for the next run fails right after its start (404): the finished run is emitted anyway; the next run is kept for the next poll', async () => {
	const wf = heldWorkflow({ result: { price: 1 } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'changed', options: { maxWait: 1 } });
	expect((await trigger.tick()).output).toBeNull();
	const [carried] = runIds(sim, wf.id);
	sim.endRun(carried);
	sim.injectFault({ endpoint: 'getResults', kind: 'delay', delayMs: 0 }); // the finished run's status passes
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, detail: 'Run not found' }); // the new run's does not

	const { output } = await trigger.tick();
	expect(trigger.json(output)).toEqual([expect.objectContaining({ runId: carried, result: { price: 1 } })]);
	const [, next] = runIds(sim, wf.id);
	expect(pendingRunId(trigger.staticData())).toBe(next);
	expect((await trigger.tick()).output).toBeNull(); // that run is still going
	expect(runIds(sim, wf.id)).toHaveLength(2);
});

test.each([
	[402, 'Not enough credits'],
	[403, 'Not allowed to run this workflow'],
	[404, 'Workflow not found'],
])('every start refused with %i: the run that finished is emitted first, then the polls fail', async (status, detail) => {
	const wf = heldWorkflow({ result: { price: 1 } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'changed', options: { maxWait: 1 } });
	expect((await trigger.tick()).output).toBeNull();
	const [carried] = runIds(sim, wf.id);
	sim.endRun(carried);
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status, detail, probability: 1 });

	const warn = jest.spyOn(Container.get(Logger), 'warn');
	const { output } = await trigger.tick();
	expect(trigger.json(output)).toEqual([expect.objectContaining({ runId: carried, result: { price: 1 } })]);
	// The refusal is not swallowed: n8n's log has it.
	expect(warn).toHaveBeenCalledWith(expect.stringContaining(detail));
	warn.mockRestore();
	for (let poll = 0; poll < 2; poll++) {
		const error = await failure(trigger.tick());
		expect(error.message).toContain(detail);
	}
	expect(trigger.staticData().pendingRun).toBeUndefined();
	expect(runIds(sim, wf.id)).toEqual([carried]);
});
