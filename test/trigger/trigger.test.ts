/**
 * The Witrium Trigger through n8n-core's poll machinery (PollContext + PollTriggerExecutor, via
 * the poll harness) against the simulator on a random port.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import type { WitriumClient } from '../../src/client';
import { makeClient } from '../client/helpers';
import { TOKEN, assertNoTokenLeak, contentOf, failure, heldWorkflow, makeTrigger, runIds, simWorkflow, useSimulator } from './helpers';

/** A plain copy of static data (n8n hands it out as an observable proxy). */
const snapshot = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

const sim = useSimulator();

const RUN_ITEM_KEYS = [
	'runId',
	'workflowId',
	'status',
	'statusName',
	'browserSessionId',
	'startedAt',
	'completedAt',
	'message',
	'result',
	'resultFormat',
	'errorMessage',
];

describe('emit = changed', () => {
	test('the first poll emits the result; an unchanged result (keys in another order) emits nothing; a changed one emits once', async () => {
		const wf = simWorkflow({ result: { price: 100, title: 'Desk', tags: ['oak'] } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'changed' });

		const first = trigger.json((await trigger.tick()).output);
		expect(first).toHaveLength(1);
		expect(Object.keys(first![0]).sort()).toEqual([...RUN_ITEM_KEYS].sort());
		expect(first![0]).toMatchObject({ workflowId: wf.id, status: 'C', statusName: 'completed', browserSessionId: null });
		expect(first![0].result).toEqual({ price: 100, title: 'Desk', tags: ['oak'] });
		expect(contentOf(trigger.staticData())).toEqual({ lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

		// Same data, keys in another order: not a change.
		sim.define({ workflows: [{ ...wf, result: { tags: ['oak'], title: 'Desk', price: 100 } }] });
		expect((await trigger.tick()).output).toBeNull();

		sim.define({ workflows: [{ ...wf, result: { price: 89, title: 'Desk', tags: ['oak'] } }] });
		const changed = trigger.json((await trigger.tick()).output);
		expect(changed).toHaveLength(1);
		expect(changed![0].result).toEqual({ price: 89, title: 'Desk', tags: ['oak'] });

		expect((await trigger.tick()).output).toBeNull();
		expect(sim.runCount(wf.id)).toBe(4); // every poll runs the workflow once
	});

	test('arguments and use states are sent with every run', async () => {
		const wf = simWorkflow({ result: { ok: true } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, {
			workflowId: wf.id,
			specifyArguments: 'json',
			argumentsJson: '{ "query": "oak desk", "page": 2 }',
			options: { useStates: ' logged-in , ' },
		});
		// The simulator knows no state "logged-in": the run is refused, after the request was seen.
		const error = await failure(trigger.tick());
		expect(error.message).toMatch(/Browser state 'logged-in' not found/);
		const sent = sim.requests.filter((r) => r.endpoint === 'runWorkflow' && r.path.includes(wf.id));
		expect(sent.map((r) => r.body)).toEqual([{ args: { query: 'oak desk', page: 2 }, use_states: ['logged-in'] }]);
	});
});

test('emit = always emits every run, changed or not', async () => {
	const wf = simWorkflow({ result: { price: 100 } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'always' });
	const first = trigger.json((await trigger.tick()).output);
	const second = trigger.json((await trigger.tick()).output);
	expect(first).toHaveLength(1);
	expect(second).toHaveLength(1);
	expect(second![0].runId).not.toBe(first![0].runId);
	expect(second![0].result).toEqual({ price: 100 });
	expect(contentOf(trigger.staticData())).toEqual({});
});

describe('emit = newItems', () => {
	const listing = (id: string, price: number) => ({ id, title: `Listing ${id}`, price });

	test('by a dedupe field: only elements with an id not seen before, one item each, across polls', async () => {
		const wf = simWorkflow({ result: [listing('A', 1), listing('B', 2)] });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'newItems', dedupeField: 'id' });

		const first = trigger.json((await trigger.tick()).output);
		expect(first!.map((item) => item.result)).toEqual([listing('A', 1), listing('B', 2)]);
		expect(first![0]).toMatchObject({ status: 'C', workflowId: wf.id });

		// B's price changed (same id: not new), C is new.
		sim.define({ workflows: [{ ...wf, result: [listing('B', 3), listing('C', 4)] }] });
		const second = trigger.json((await trigger.tick()).output);
		expect(second!.map((item) => item.result)).toEqual([listing('C', 4)]);

		expect((await trigger.tick()).output).toBeNull();
	});

	test('by a dot path', async () => {
		const wf = simWorkflow({ result: [{ listing: { sku: 1 }, v: 1 }] });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'newItems', dedupeField: 'listing.sku' });
		expect(trigger.json((await trigger.tick()).output)).toHaveLength(1);
		sim.define({
			workflows: [
				{
					...wf,
					result: [
						{ listing: { sku: 1 }, v: 2 },
						{ listing: { sku: 2 }, v: 1 },
					],
				},
			],
		});
		expect(trigger.json((await trigger.tick()).output)!.map((item) => item.result)).toEqual([{ listing: { sku: 2 }, v: 1 }]);
	});

	test('by the whole element: any change makes an element new; key order does not', async () => {
		const wf = simWorkflow({ result: [listing('A', 1), listing('B', 2)] });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'newItems' });
		expect(trigger.json((await trigger.tick()).output)).toHaveLength(2);

		sim.define({ workflows: [{ ...wf, result: [{ price: 1, title: 'Listing A', id: 'A' }, listing('B', 3)] }] });
		const second = trigger.json((await trigger.tick()).output);
		expect(second!.map((item) => item.result)).toEqual([listing('B', 3)]);
	});

	test('the memory is bounded: the least recently seen element is forgotten and emitted again', async () => {
		const wf = simWorkflow({ result: [listing('A', 1), listing('B', 1)] });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, {
			workflowId: wf.id,
			emit: 'newItems',
			dedupeField: 'id',
			options: { rememberItems: 2 },
		});
		const ids = async () => trigger.json((await trigger.tick()).output)?.map((item) => (item.result as IDataObject).id) ?? null;

		expect(await ids()).toEqual(['A', 'B']);
		sim.define({ workflows: [{ ...wf, result: [listing('C', 1)] }] });
		expect(await ids()).toEqual(['C']); // remembers B, C: A is forgotten
		expect((trigger.staticData().seenKeys as string[]).length).toBe(2);
		sim.define({ workflows: [{ ...wf, result: [listing('A', 1)] }] });
		expect(await ids()).toEqual(['A']);
		sim.define({ workflows: [{ ...wf, result: [listing('C', 1)] }] });
		expect(await ids()).toBeNull(); // C was seen more recently than B
	});

	test('a result larger than Remember Items: its elements are never forgotten, so none is emitted twice', async () => {
		const many = Array.from({ length: 1500 }, (_, i) => listing(`L-${i}`, i));
		const wf = simWorkflow({ result: many });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'newItems', dedupeField: 'id' });
		expect(trigger.json((await trigger.tick()).output)).toHaveLength(1500);
		expect((await trigger.tick()).output).toBeNull();

		// One new element; the memory drops old keys down to Remember Items, never the current result's.
		sim.define({ workflows: [{ ...wf, result: [...many.slice(1), listing('NEW', 1)] }] });
		const next = trigger.json((await trigger.tick()).output);
		expect(next!.map((item) => (item.result as IDataObject).id)).toEqual(['NEW']);
		expect((trigger.staticData().seenKeys as string[]).length).toBe(1500);
		expect((await trigger.tick()).output).toBeNull();
	});

	test('an empty array emits nothing', async () => {
		const wf = simWorkflow({ result: [] });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'newItems' });
		expect((await trigger.tick()).output).toBeNull();
	});
});

describe.each(['inMemory', 'staged', 'durable'] as const)('a run longer than the poll budget (static data %s)', (cursorMode) => {
	test('is carried over several polls, emitted exactly once, and never started twice', async () => {
		// The run lasts until the test ends it: a poll that returns at all kept to its budget.
		const wf = heldWorkflow({ result: { done: true } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'always' }, { pollBudgetMs: 1000, cursorMode });

		expect((await trigger.tick()).output).toBeNull();
		// Durable cursors off: n8n stores nothing, the trigger carries the run in this process.
		const [first] = runIds(sim, wf.id);
		expect((await trigger.tick()).output).toBeNull(); // carried over a second poll
		expect(sim.runCount(wf.id)).toBe(1);
		sim.endRun(first);

		const items = trigger.json((await trigger.tick()).output)!;
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ runId: first, status: 'C', result: { done: true } });
		// The poll that emitted it started the next run (issue 10: a run on every poll).
		expect(sim.runCount(wf.id)).toBe(2);

		// That run still going, the next poll starts none.
		await trigger.tick();
		expect(sim.runCount(wf.id)).toBe(2);
	});
});

test('a run carried over survives an n8n restart when the host stores each poll (2.x staged cursors)', async () => {
	const wf = heldWorkflow({ result: { done: true } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 1000, cursorMode: 'staged' });
	expect((await trigger.tick()).output).toBeNull();
	const { runId } = trigger.storedStaticData().pendingRun as IDataObject;
	trigger.restart();
	sim.endRun(String(runId));
	const { output } = await trigger.tick();
	expect(trigger.json(output)![0]).toMatchObject({ runId, status: 'C' });
	expect(sim.runCount(wf.id)).toBe(2); // the carried run, and the one the emitting poll started
});

describe('a failing run', () => {
	const failing = () =>
		simWorkflow({
			stepCount: 3,
			stepMs: 80,
			steps: [
				{ instruction: 'Go to the listings page', durationMs: 80 },
				{ instruction: 'Click "Next page"', durationMs: 80 },
				{ instruction: 'Extract the listings', durationMs: 80 },
			],
			failAtStep: 2,
			errorMessage: 'Element not found: #next',
		});

	test('with Fail on Run Failure: the poll fails naming the run, the step and the message; the next poll starts afresh', async () => {
		const wf = failing();
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id });
		const error = await failure(trigger.tick());
		expect(error).toBeInstanceOf(NodeOperationError);
		const [run] = sim.runs().filter((r) => r.definitionId === wf.id);
		expect(error.message).toContain(run.runId);
		expect(error.message).toContain('step 2 "Click "Next page""');
		expect(error.message).toContain('Element not found: #next');
		expect(error.description).toMatch(/stays active/);
		expect(contentOf(trigger.staticData())).toEqual({});

		await failure(trigger.tick());
		expect(sim.runCount(wf.id)).toBe(2);
	});

	test.each(['inMemory', 'staged'] as const)(
		'carried over from an earlier poll (static data %s): reported once, then a fresh run',
		async (cursorMode) => {
			const wf = heldWorkflow();
			sim.define({ workflows: [wf] });
			const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 1000, cursorMode });
			expect((await trigger.tick()).output).toBeNull();
			const { runId } = trigger.staticData().pendingRun as IDataObject;
			expect((await trigger.tick()).output).toBeNull(); // still going
			sim.endRun(String(runId), { fail: 'Element not found: #next' });

			const error = await failure(trigger.tick());
			expect(error.message).toContain(String(runId));
			// The failing poll already started the next run (staged: the host stored that).
			expect((trigger.staticData().pendingRun as IDataObject).runId).not.toBe(runId);

			// The failed run is not reported again.
			const after = await trigger.tick().then(
				(r) => r.output,
				(caught: Error) => caught,
			);
			expect(after === null || !(after instanceof Error) || !after.message.includes(String(runId))).toBe(true);
			expect(sim.runCount(wf.id)).toBe(2);
		},
	);

	test('without Fail on Run Failure: emitted as a run item with its status', async () => {
		const wf = failing();
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, options: { failOnRunFailure: false } });
		const items = trigger.json((await trigger.tick()).output)!;
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ status: 'F', statusName: 'failed', errorMessage: 'Element not found: #next', result: null });
		// A failure is not a result: it is emitted every time and leaves the last result alone.
		expect(contentOf(trigger.staticData())).toEqual({});
		expect(trigger.json((await trigger.tick()).output)).toHaveLength(1);
	});
});

test('a run still going after "Give Up After" is cancelled and reported; the next poll starts afresh', async () => {
	const wf = heldWorkflow();
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(
		sim.url,
		{ workflowId: wf.id, options: { giveUpAfter: 0.004 } },
		{ pollBudgetMs: 1000, cursorMode: 'staged' },
	);
	expect((await trigger.tick()).output).toBeNull();
	const { runId } = trigger.staticData().pendingRun as IDataObject;
	const error = await failure(trigger.tick());
	expect(error.message).toContain(`Run ${String(runId)}`);
	expect(error.description).toMatch(/cancel it/);
	expect(sim.runs().find((r) => r.runId === runId)?.status).toBe('X');
	expect(contentOf(trigger.staticData())).toEqual({});
});

test('a remembered run Witrium no longer knows is reported and forgotten', async () => {
	const wf = heldWorkflow();
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 1000, cursorMode: 'staged' });
	expect((await trigger.tick()).output).toBeNull();
	sim.reset(); // forgets every run
	const error = await failure(trigger.tick());
	expect(error.message).toMatch(/was not found in Witrium/);
	expect(contentOf(trigger.staticData())).toEqual({});
});

describe('event = sessionChange', () => {
	let client: WitriumClient;
	beforeAll(() => {
		client = makeClient(sim.url, { apiToken: TOKEN });
	});

	test('the first poll records; then sessions started and closed are emitted', async () => {
		sim.reset();
		const s1 = await client.createSession();
		const trigger = makeTrigger(sim.url, { event: 'sessionChange' });
		expect((await trigger.tick()).output).toBeNull();
		expect(Object.keys(trigger.staticData().knownSessions as IDataObject)).toEqual([s1.uuid]);
		expect((await trigger.tick()).output).toBeNull();

		const s2 = await client.createSession({ proxyCountry: 'de' });
		const started = trigger.json((await trigger.tick()).output)!;
		expect(started).toEqual([expect.objectContaining({ event: 'started', browserSessionId: s2.uuid, status: 'active' })]);
		expect(Object.keys(started[0]).sort()).toEqual(
			[
				'browserSessionId',
				'provider',
				'status',
				'isBusy',
				'userManaged',
				'currentRunType',
				'currentRunId',
				'createdAt',
				'startedAt',
				'lastActivityAt',
				'proxyCountry',
				'proxyCity',
				'event',
			].sort(),
		);

		await client.closeSession(s1.uuid, { force: true });
		const closed = trigger.json((await trigger.tick()).output)!;
		expect(closed).toEqual([expect.objectContaining({ event: 'closed', browserSessionId: s1.uuid, status: 'closed' })]);
		expect((await trigger.tick()).output).toBeNull();
		await client.closeSession(s2.uuid, { force: true });
	});

	test('only the chosen events', async () => {
		sim.reset();
		const trigger = makeTrigger(sim.url, { event: 'sessionChange', sessionEvents: ['closed'] });
		expect((await trigger.tick()).output).toBeNull();
		const s = await client.createSession();
		expect((await trigger.tick()).output).toBeNull(); // started: not chosen
		await client.closeSession(s.uuid, { force: true });
		expect(trigger.json((await trigger.tick()).output)).toEqual([expect.objectContaining({ event: 'closed', browserSessionId: s.uuid })]);
	});

	test('a Witrium too slow to answer fails the poll within its budget, keeping the state', async () => {
		sim.reset();
		const trigger = makeTrigger(sim.url, { event: 'sessionChange' }, { pollBudgetMs: 600, cursorMode: 'staged' });
		await trigger.tick();
		const before = snapshot(trigger.staticData());
		sim.injectFault({ endpoint: 'listSessions', kind: 'delay', delayMs: 3000, times: 20 });
		const started = Date.now();
		const error = await failure(trigger.tick());
		sim.clearFaults();
		expect(Date.now() - started).toBeLessThan(600 + 150);
		expect(error.message).toMatch(/did not answer with the browser sessions within the time this poll has/);
		expect(trigger.staticData()).toEqual(before);
	});

	test('Fetch Test Event returns the open sessions as started, and touches no state', async () => {
		sim.reset();
		const trigger = makeTrigger(sim.url, { event: 'sessionChange' });
		const none = await failure(trigger.poll('manual'));
		expect(none.message).toMatch(/No browser session is open/);

		const s = await client.createSession();
		await trigger.tick();
		const before = snapshot(trigger.staticData());
		const sample = trigger.json(await trigger.poll('manual'))!;
		expect(sample).toEqual([expect.objectContaining({ event: 'started', browserSessionId: s.uuid })]);
		expect(trigger.staticData()).toEqual(before);
		await client.closeSession(s.uuid, { force: true });
	});
});

describe('Fetch Test Event (manual mode)', () => {
	test('returns a real sample at once and leaves the static data exactly as it was', async () => {
		const wf = simWorkflow({ result: [{ id: 1 }, { id: 2 }] });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'newItems', dedupeField: 'id' });
		await trigger.tick(); // remembers ids 1 and 2
		const before = snapshot(trigger.staticData());
		const storedBefore = snapshot(trigger.storedStaticData());

		// A first poll would emit every element, seen or not.
		const sample = trigger.json(await trigger.poll('manual'))!;
		expect(sample.map((item) => item.result)).toEqual([{ id: 1 }, { id: 2 }]);
		expect(trigger.staticData()).toEqual(before);
		expect(trigger.storedStaticData()).toEqual(storedBefore);
		expect(sim.runCount(wf.id)).toBe(2);
	});

	test('emit = changed returns the result even when it is unchanged', async () => {
		const wf = simWorkflow({ result: { price: 1 } });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id });
		await trigger.tick();
		const before = snapshot(trigger.staticData());
		expect(trigger.json(await trigger.poll('manual'))).toEqual([expect.objectContaining({ result: { price: 1 }, status: 'C' })]);
		expect(trigger.staticData()).toEqual(before);
	});

	test('a run longer than Max Wait is cancelled with a clear error', async () => {
		const wf = simWorkflow({ stepCount: 10, stepMs: 300 });
		sim.define({ workflows: [wf] });
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, options: { maxWait: 1 } });
		const error = await failure(trigger.poll('manual'));
		expect(error.message).toMatch(/did not finish within 1 s/);
		expect(error.description).toMatch(/test run was cancelled/);
		expect(sim.runs().find((r) => r.definitionId === wf.id)?.status).toBe('X');
		expect(contentOf(trigger.staticData())).toEqual({});
	});
});

describe('invalid input and errors', () => {
	test('an empty Workflow ID fails before any request, saying what to fix', async () => {
		const before = sim.requests.length;
		const trigger = makeTrigger(sim.url, { workflowId: '  ' });
		const error = await failure(trigger.tick());
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Workflow ID is empty');
		expect(error.description).toMatch(/Give the Workflow ID/);
		expect(sim.requests.length).toBe(before);
	});

	test('a workflow id Witrium does not know: an API error naming the endpoint', async () => {
		const trigger = makeTrigger(sim.url, { workflowId: '00000000-0000-4000-8000-000000000000' });
		const error = await failure(trigger.tick());
		expect(error.message).toMatch(/404|not found/i);
		expect(contentOf(trigger.staticData())).toEqual({});
	});

	test('a wrong API token: an API error with the HTTP status, and no token in any error message', async () => {
		const trigger = makeTrigger(sim.url, { event: 'sessionChange' }, {}, `${TOKEN}-wrong`);
		const error = await failure(trigger.tick());
		expect((error as unknown as { httpCode?: string }).httpCode).toBe('401');
	});

	afterAll(() => {
		assertNoTokenLeak();
	});
});
