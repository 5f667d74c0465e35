import type { IDataObject } from 'n8n-workflow';

import { runWorkflow } from '../harness';
import { everythingShown, line, node, nodeError, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

const QUICK = 'aaaaaaaa-0000-4000-8000-000000000001';
const LIST = 'aaaaaaaa-0000-4000-8000-000000000002';
const FAILING = 'aaaaaaaa-0000-4000-8000-000000000003';
const SLOW = 'aaaaaaaa-0000-4000-8000-000000000004';

beforeAll(() => {
	sim.define({
		workflows: [
			{
				id: QUICK,
				startDelayMs: 20,
				steps: [
					{ instruction: 'Open page', durationMs: 40 },
					{ instruction: 'Read title', durationMs: 40, result: { title: 'Hello' } },
				],
				result: { title: 'Hello', nested_key: { keep_me: 1 } },
				resultFormat: 'json',
			},
			{ id: LIST, startDelayMs: 20, steps: [{ instruction: 'Scrape', durationMs: 40 }], result: [{ sku: 'a' }, { sku: 'b' }, 'loose'] },
			{
				id: FAILING,
				startDelayMs: 20,
				steps: [
					{ instruction: 'Open checkout', durationMs: 30 },
					{ instruction: 'Click #pay', durationMs: 30 },
				],
				failAtStep: 2,
				errorMessage: 'Element not found: #pay',
			},
			{ id: SLOW, startDelayMs: 20, steps: [{ instruction: 'Wait for the page', durationMs: 60_000 }], result: { done: true } },
		],
	});
});

const run = (parameters: IDataObject, items?: IDataObject[], extra = {}) =>
	runWorkflow(line([node('Run', 'witriumRunWorkflow', parameters as never, extra)], items), { credentials: credentials() });

describe('run and wait', () => {
	test('outputs the run item, the result untouched, and sends only what was set', async () => {
		const result = await run({ workflowId: QUICK, browserSessionId: '', arguments: { argument: [{ name: 'query', value: 'desk' }, { name: 'page', value: 2 }] } });
		const [item] = output(result, 'Run');
		expect(item.json).toEqual({
			runId: expect.any(String),
			workflowId: QUICK,
			status: 'C',
			statusName: 'completed',
			browserSessionId: null,
			startedAt: expect.any(String),
			completedAt: expect.any(String),
			message: null,
			result: { title: 'Hello', nested_key: { keep_me: 1 } },
			resultFormat: 'json',
			errorMessage: null,
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		const submit = sim.requests.find((request) => request.endpoint === 'runWorkflow');
		expect(submit?.body).toEqual({ args: { query: 'desk', page: 2 } });
		expect(submit?.headers['x-witrium-key']).toBe(sim.token);
	});

	test('arguments from JSON, every option mapped to its snake_case field', async () => {
		sim.define({ workflows: [{ id: 'bbbbbbbb-0000-4000-8000-000000000001', steps: [{ instruction: 'x', durationMs: 10 }], startDelayMs: 10 }] });
		// the states must exist before a run may restore them
		await run({ workflowId: QUICK, browserSessionId: '', options: { preserveState: 'seen' } });
		await run({
			workflowId: 'bbbbbbbb-0000-4000-8000-000000000001',
			browserSessionId: '',
			specifyArguments: 'json',
			argumentsJson: '{ "a": "x", "n": 3 }',
			options: { useStates: ' seen , ', preserveState: 'after', noIntelligence: true, recordSession: true, skipGotoUrlInstruction: true },
		});
		const submit = sim.requests.filter((request) => request.endpoint === 'runWorkflow')[1];
		expect(submit.body).toEqual({
			args: { a: 'x', n: 3 },
			use_states: ['seen'],
			preserve_state: 'after',
			no_intelligence: true,
			record_session: true,
			skip_goto_url_instruction: true,
		});
	});

	test('wait for nothing outputs the submitted run at once; Wait for Run picks it up', async () => {
		const started = await run({ workflowId: QUICK, browserSessionId: '', waitFor: 'nothing' });
		const [submitted] = output(started, 'Run');
		expect(submitted.json).toEqual({ runId: expect.any(String), workflowId: QUICK, status: 'P', statusName: 'pending', browserSessionId: null });

		const waited = await runWorkflow(
			line([node('Wait', 'witriumRunWorkflow', { operation: 'waitForRun' })], [submitted.json]),
			{ credentials: credentials() },
		);
		expect(output(waited, 'Wait')[0].json).toMatchObject({ runId: submitted.json.runId, status: 'C', result: { title: 'Hello' } });
		expect(sim.runCount(QUICK)).toBe(1);
	});

	test('get results reads the current state without waiting', async () => {
		const started = await run({ workflowId: SLOW, browserSessionId: '', waitFor: 'nothing' });
		const runId = output(started, 'Run')[0].json.runId as string;
		const read = await runWorkflow(line([node('Get', 'witriumRunWorkflow', { operation: 'getResults', runId })]), { credentials: credentials() });
		expect(output(read, 'Get')[0].json).toMatchObject({ runId, statusName: expect.stringMatching(/pending|running/), result: null });
		await sim.stop(); // the slow run is not needed further; restart for the next tests
		await sim.start();
	});

	test('wait for running returns once the browser runs; with all instructions executed, once the last step is done', async () => {
		sim.define({
			workflows: [
				{
					id: 'cccccccc-0000-4000-8000-000000000001',
					startDelayMs: 20,
					steps: [
						{ instruction: 'one', durationMs: 100 },
						{ instruction: 'two', durationMs: 600 },
					],
				},
			],
		});
		const running = await run({ workflowId: 'cccccccc-0000-4000-8000-000000000001', browserSessionId: '', waitFor: 'running', options: { includeSteps: true } });
		const item = output(running, 'Run')[0].json;
		expect(item.status).toBe('R');
		expect((item.executions as IDataObject[]).some((step) => step.status === 'R')).toBe(true);

		const executed = await run({
			workflowId: 'cccccccc-0000-4000-8000-000000000001',
			browserSessionId: '',
			waitFor: 'running',
			options: { allInstructionsExecuted: true, includeSteps: true },
		});
		const steps = output(executed, 'Run')[0].json.executions as IDataObject[];
		expect(steps.map((step) => step.status)).toEqual(['C', 'C']);
	});
});

describe('output modes', () => {
	test('resultItems splits an array result into one item per element, each paired with its input item', async () => {
		const result = await run({ workflowId: LIST, browserSessionId: '', options: { output: 'resultItems' } }, [{ q: 1 }, { q: 2 }]);
		const items = output(result, 'Run');
		expect(items.map((item) => item.json)).toEqual([{ sku: 'a' }, { sku: 'b' }, { value: 'loose' }, { sku: 'a' }, { sku: 'b' }, { value: 'loose' }]);
		expect(items.map((item) => item.pairedItem)).toEqual([0, 0, 0, 1, 1, 1].map((item) => ({ item })));
	});

	test('resultItems keeps an object result as one item', async () => {
		const result = await run({ workflowId: QUICK, browserSessionId: '', options: { output: 'resultItems' } });
		expect(output(result, 'Run').map((item) => item.json)).toEqual([{ title: 'Hello', nested_key: { keep_me: 1 } }]);
	});

	test('steps outputs one item per executed step', async () => {
		const result = await run({ workflowId: QUICK, browserSessionId: '', options: { output: 'steps' } });
		expect(output(result, 'Run').map((item) => item.json)).toEqual([
			expect.objectContaining({ instructionOrder: 1, instruction: 'Open page', status: 'C', statusName: 'completed' }),
			expect.objectContaining({ instructionOrder: 2, instruction: 'Read title', status: 'C', result: { title: 'Hello' } }),
		]);
	});

	test('includeSteps adds executions to the run item', async () => {
		const result = await run({ workflowId: QUICK, browserSessionId: '', options: { includeSteps: true } });
		expect((output(result, 'Run')[0].json.executions as IDataObject[]).map((step) => step.instruction)).toEqual(['Open page', 'Read title']);
	});
});

describe('a failing run', () => {
	test('with failOnRunFailure (default) is an item error naming the failing step and its message', async () => {
		const result = await run({ workflowId: FAILING, browserSessionId: '' });
		const error = nodeError(result, 'Run');
		expect(error.message).toContain('failed: Element not found: #pay');
		expect(error.description).toContain('Step 2 "Click #pay" failed: Element not found: #pay');
		expect(error.itemIndex).toBe(0);
	});

	test('without failOnRunFailure is output with its status', async () => {
		const result = await run({ workflowId: FAILING, browserSessionId: '', options: { failOnRunFailure: false } });
		expect(output(result, 'Run')[0].json).toMatchObject({ status: 'F', statusName: 'failed', errorMessage: 'Element not found: #pay' });
	});

	test('goes to the error output naming the run, while the other items succeed', async () => {
		const result = await runWorkflow(
			line(
				[node('Run', 'witriumRunWorkflow', { workflowId: '={{ $json.workflow }}', browserSessionId: '', options: { maxConcurrency: 2 } }, { onError: 'continueErrorOutput' })],
				[{ workflow: QUICK }, { workflow: FAILING }, { workflow: QUICK }],
			),
			{ credentials: credentials() },
		);
		const ok = output(result, 'Run', 0);
		const failed = output(result, 'Run', 1);
		expect(ok.map((item) => [item.json.status, item.pairedItem])).toEqual([
			['C', { item: 0 }],
			['C', { item: 2 }],
		]);
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(failed[0].json.error).toContain('Element not found');
		expect(failed[0].json.error).toContain(sim.runs().find((simRun) => simRun.definitionId === FAILING)?.runId);
	});
});

describe('timeouts', () => {
	const slow = (onTimeout: string) => run({ workflowId: SLOW, browserSessionId: '', options: { timeout: 1, onTimeout } });

	test('cancelAndFail cancels the run, then fails naming run, workflow, last status and last step', async () => {
		const result = await slow('cancelAndFail');
		const error = nodeError(result, 'Run');
		const [simRun] = sim.runs();
		expect(error.message).toContain(simRun.runId);
		expect(error.message).toContain(SLOW);
		expect(error.message).toContain('last status: running (R)');
		expect(error.message).toContain('step 1 "Wait for the page"');
		expect(error.description).toContain('cancelled');
		expect(simRun.status).toBe('X');
	});

	test('fail leaves the run going and says how to pick it up', async () => {
		const result = await slow('fail');
		const error = nodeError(result, 'Run');
		const [simRun] = sim.runs();
		expect(error.description).toContain(`Wait for Run" operation with run ID ${simRun.runId}`);
		expect(simRun.status).toBe('R');
		await sim.stop();
		await sim.start();
	});

	test('returnLast outputs the last state seen', async () => {
		const result = await slow('returnLast');
		expect(output(result, 'Run')[0].json).toMatchObject({ status: 'R', statusName: 'running', result: null });
		expect(sim.runs()[0].status).toBe('R');
		await sim.stop();
		await sim.start();
	});
});

describe('files and states', () => {
	test('binary properties are uploaded as base64 files named from the binary metadata', async () => {
		const workflow = line([node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '', options: { binaryPropertyNames: 'invoice, photo' } })]);
		workflow.pinData = {
			Start: [
				{
					json: {},
					binary: {
						invoice: { data: Buffer.from('%PDF-1.4 hello').toString('base64'), mimeType: 'application/pdf', fileName: 'invoice.pdf' },
						photo: { data: Buffer.from([0xff, 0xd8, 0xff]).toString('base64'), mimeType: 'image/jpeg' },
					},
				},
			],
		};
		const result = await runWorkflow(workflow, { credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(sim.runs()[0].files).toEqual([
			{ filename: 'invoice.pdf', data: Buffer.from('%PDF-1.4 hello').toString('base64') },
			{ filename: 'photo', data: Buffer.from([0xff, 0xd8, 0xff]).toString('base64') },
		]);
	});

	test('a named binary field missing on an item is that item\'s error; the other items still run', async () => {
		const workflow = line(
			[node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '', options: { binaryPropertyNames: 'invoice' } }, { onError: 'continueRegularOutput' })],
		);
		workflow.pinData = {
			Start: [
				{ json: {}, binary: { invoice: { data: Buffer.from('a').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } } },
				{ json: {}, binary: { other: { data: Buffer.from('b').toString('base64'), mimeType: 'text/plain', fileName: 'b.txt' } } },
			],
		};
		const result = await runWorkflow(workflow, { credentials: credentials() });
		const items = output(result, 'Run');
		expect(items[0].json.status).toBe('C');
		expect(items[1].json.error).toContain('no binary field "invoice" [item 1]');
		expect(sim.runCount(QUICK)).toBe(1);
	});

	test('useStates with a session: the run goes, and a hint says Witrium ignores run-level states in a session', async () => {
		const session = await runWorkflow(line([node('Create', 'witriumBrowserSession')]), { credentials: credentials() });
		const sessionId = output(session, 'Create')[0].json.browserSessionId;
		await run({ workflowId: QUICK, browserSessionId: '', options: { preserveState: 'login' } });
		const result = await run({ workflowId: QUICK, options: { useStates: 'login' } }, [{ browserSessionId: sessionId }]);
		expect(output(result, 'Run')[0].json).toMatchObject({ status: 'C', browserSessionId: sessionId });
		expect(result.nodes.Run[0].hints.map((hint) => hint.message).join(' ')).toContain('ignores run-level "Use States" inside a browser session');
		expect(sim.runs()[1].useStatesIgnored).toBe(true);
	});
});

test('service errors are NodeApiErrors with the status and the service detail, never the token', async () => {
	const result = await run({ workflowId: 'dddddddd-0000-4000-8000-00000000dead', browserSessionId: '' });
	const error = nodeError(result, 'Run');
	expect(error.httpCode).toBe('404');
	expect(error.name).toBe('NodeApiError');
	expect(error.description).toContain('Witrium said:');
	expect(everythingShown(result)).not.toContain(sim.token);

	const unauthorized = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '' })]), {
		credentials: { witriumApi: { apiToken: 'wrong-token-123', baseUrl: sim.url } },
	});
	const authError = nodeError(unauthorized, 'Run');
	expect(authError.httpCode).toBe('401');
	expect(authError.description).toContain('Check the API token');
	expect(everythingShown(unauthorized)).not.toContain('wrong-token-123');
});
