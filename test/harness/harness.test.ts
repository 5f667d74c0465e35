/**
 * The workflow harness, shown working with fixture nodes (test/harness/fixtures):
 * it runs workflow JSON through n8n-core's engine with n8n's own semantics for
 * expressions, pairedItem, errors, continueOnFail, the error output, hints,
 * cancellation, polling, credentials and credential tests.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { IConnections, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import {
	createPollHarness,
	outputJson,
	packageCredentialTypeNames,
	packageLoadFailures,
	packageNodeTypeFiles,
	registerCredentialType,
	registerNodeType,
	runWorkflow,
	testCredential,
	type WorkflowData,
} from './index';
import { HarnessEcho } from './fixtures/HarnessEcho.node';
import { HarnessPoll, budgetsSeen, feeds } from './fixtures/HarnessPoll.node';
import { HarnessWait, type WaitRecord, waitEvents } from './fixtures/HarnessWait.node';

registerNodeType(new HarnessEcho());
registerNodeType(new HarnessWait());
registerNodeType(new HarnessPoll());

// --- tiny workflow builders -------------------------------------------------

let nodeId = 0;
function node(name: string, type: string, parameters: INode['parameters'] = {}, extra: Partial<INode> = {}): INode {
	const typeVersion = type === 'n8n-nodes-base.set' ? 3.4 : 1;
	return { id: `n${++nodeId}`, name, type, typeVersion, position: [0, 0], parameters, ...extra };
}
const manual = (name = 'Start') => node(name, 'n8n-nodes-base.manualTrigger');
const noOp = (name: string) => node(name, 'n8n-nodes-base.noOp');
const echo = (name: string, parameters: INode['parameters'] = {}, extra: Partial<INode> = {}) =>
	node(name, 'n8n-nodes-witrium.harnessEcho', parameters, extra);

/** Connects `from`'s output `output` to `to`. */
function connect(connections: IConnections, from: string, to: string, output = 0): IConnections {
	const main = (connections[from] ??= { main: [] }).main;
	while (main.length <= output) main.push([]);
	main[output]!.push({ node: to, type: 'main', index: 0 });
	return connections;
}
/** A straight line of nodes, the first fed with `items` (pinned, as n8n's editor would). */
function line(nodes: INode[], items?: INodeExecutionData[]): WorkflowData {
	const connections: IConnections = {};
	for (let i = 1; i < nodes.length; i++) connect(connections, nodes[i - 1].name, nodes[i].name);
	return { nodes, connections, pinData: items ? { [nodes[0].name]: items } : undefined };
}
const items = (...json: IDataObject[]): INodeExecutionData[] => json.map((j) => ({ json: j }));

// --- a local HTTP server standing in for the Witrium API ----------------------

interface Seen {
	method?: string;
	url?: string;
	key?: string;
}
const seen: Seen[] = [];
let server: http.Server;
let baseUrl = '';
beforeAll(async () => {
	server = http.createServer((req, res) => {
		const key = req.headers['x-witrium-key'];
		seen.push({ method: req.method, url: req.url, key: typeof key === 'string' ? key : undefined });
		res.setHeader('content-type', 'application/json');
		if (req.method === 'GET' && req.url === '/v1/browser-sessions' && key === 'good-token') {
			res.end(JSON.stringify([{ id: 'sess-1', status: 'active' }]));
			return;
		}
		res.statusCode = 401;
		res.end(JSON.stringify({ detail: 'Invalid or missing API key' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
	seen.length = 0;
});

// --- running workflows ------------------------------------------------------------

describe('runWorkflow', () => {
	test('runs a workflow JSON file: expressions per item, pairedItem traced back to the trigger', async () => {
		const result = await runWorkflow('test/harness/fixtures/echo.workflow.json');

		expect(result.status).toBe('success');
		expect(result.executionOrder).toEqual(["When clicking 'Execute workflow'", 'Echo', 'Trace']);
		expect(outputJson(result, 'Echo')).toEqual([
			{ name: 'ada', label: 'ADA' },
			{ name: 'grace', label: 'GRACE' },
			{ name: 'linus', label: 'LINUS' },
		]);
		expect(result.nodes.Echo[0].items[0].map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		// The Set node resolves $('trigger').item through the pairedItem chain.
		expect(outputJson(result, 'Trace').map((j) => j.startedAs)).toEqual(['ada', 'grace', 'linus']);
		// A sticky note is part of the workflow and never runs.
		expect(result.nodes.Note).toBeUndefined();
	});

	test('a failing item stops the workflow with the node error, its item index and description', async () => {
		const wf = line([manual(), echo('Echo'), noOp('After')], items({ n: 0 }, { n: 1, fail: true }, { n: 2 }));
		const result = await runWorkflow(wf);

		expect(result.status).toBe('error');
		expect(result.nodes.After).toBeUndefined();
		const { error } = result.nodes.Echo[0];
		expect(error).toMatchObject({
			name: 'NodeOperationError',
			message: 'Item 1 is flagged to fail',
			description: 'Clear "fail" on the item to let it through',
			itemIndex: 1,
			nodeName: 'Echo',
		});
		expect(result.error?.message).toBe('Item 1 is flagged to fail');
		expect(result.lastNodeExecuted).toBe('Echo');
		expect(() => outputJson(result, 'Echo')).toThrow('Node "Echo" failed: Item 1 is flagged to fail');
	});

	test('continueOnFail (onError: continueRegularOutput) keeps going with the error as an item', async () => {
		const wf = line(
			[manual(), echo('Echo', {}, { onError: 'continueRegularOutput' }), noOp('After')],
			items({ n: 0 }, { n: 1, fail: true }),
		);
		const result = await runWorkflow(wf);

		expect(result.status).toBe('success');
		expect(outputJson(result, 'After')).toEqual([
			{ n: 0, label: '' },
			{ error: 'Item 1 is flagged to fail' },
		]);
		expect(result.nodes.Echo[0].items[0][1].pairedItem).toEqual({ item: 1 });
	});

	test('the error output (onError: continueErrorOutput) routes the failed item, with its input, to output 1', async () => {
		const start = manual();
		const wf: WorkflowData = {
			nodes: [start, echo('Echo', { label: '={{ $json.n * 10 }}' }, { onError: 'continueErrorOutput' }), noOp('Good'), noOp('Bad')],
			connections: connect(connect(connect({}, 'Start', 'Echo'), 'Echo', 'Good', 0), 'Echo', 'Bad', 1),
			pinData: { Start: items({ n: 1 }, { n: 2, fail: true }, { n: 3 }) },
		};
		const result = await runWorkflow(wf);

		expect(result.status).toBe('success');
		const [success, failed] = result.nodes.Echo[0].items;
		expect(success.map((i) => i.json)).toEqual([
			// n8n does not coerce an expression's number into a string parameter.
			{ n: 1, label: 10 },
			{ n: 3, label: 30 },
		]);
		expect(failed.map((i) => i.json)).toEqual([{ n: 2, fail: true, error: 'Item 1 is flagged to fail' }]);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(outputJson(result, 'Bad')).toEqual([{ n: 2, fail: true, error: 'Item 1 is flagged to fail' }]);
		expect(outputJson(result, 'Echo', 1)).toHaveLength(1);
		expect(result.nodes.Good[0].items[0]).toHaveLength(2);
	});

	test('a node that throws under continueOnFail passes its input on and keeps the error on the run', async () => {
		const wf = line(
			[manual(), echo('Echo', { throwBeforeItems: true }, { continueOnFail: true }), noOp('After')],
			items({ n: 1 }),
		);
		const result = await runWorkflow(wf);

		expect(result.status).toBe('success');
		const run = result.nodes.Echo[0];
		expect(run.error).toMatchObject({ name: 'NodeOperationError', message: 'Thrown before any item' });
		expect(run.items[0].map((i) => i.json)).toEqual([{ n: 1 }]);
		expect(outputJson(result, 'After')).toEqual([{ n: 1 }]);
	});

	test('execution hints a node adds appear on its run', async () => {
		const result = await runWorkflow(line([manual(), echo('Echo', { hint: 'Session left open' })], items({})));
		expect(result.nodes.Echo[0].hints).toEqual([{ message: 'Session left open', location: 'outputPane' }]);
	});

	test('destinationNode runs only up to that node, like "Execute step"', async () => {
		const result = await runWorkflow(line([manual(), echo('Echo'), noOp('After')], items({ a: 1 })), {
			destinationNode: 'Echo',
		});
		expect(Object.keys(result.nodes).sort()).toEqual(['Echo', 'Start']);
	});

	test('the real Schedule Trigger, started manually, emits one item with the time', async () => {
		const schedule = node('Every Hour', 'n8n-nodes-base.scheduleTrigger', { rule: { interval: [{ field: 'hours' }] } }, { typeVersion: 1.2 });
		const result = await runWorkflow(line([schedule, noOp('After')]));
		const [item] = outputJson(result, 'After');
		expect(typeof item.timestamp).toBe('string');
		expect(Date.parse(item.timestamp as string)).toBeGreaterThan(Date.now() - 60_000);
	});

	test('an unknown node type fails loudly and says which types exist', async () => {
		await expect(runWorkflow(line([manual(), node('X', 'n8n-nodes-base.slack')]))).rejects.toThrow(
			/Unrecognized node type: n8n-nodes-base.slack \(the harness provides .*n8n-nodes-base.noOp/,
		);
	});
});

// --- credentials --------------------------------------------------------------

describe('credentials in workflows', () => {
	test('a node reads its credential with the credential type defaults applied', async () => {
		const result = await runWorkflow(line([manual(), echo('Echo', { readCredential: true })], items({})), {
			credentials: { witriumApi: { apiToken: 't' } },
		});
		expect(outputJson(result, 'Echo')[0].baseUrl).toBe('https://api.witrium.com');
	});

	test("the stock HTTP Request node reuses witriumApi: the credential's authenticate adds X-Witrium-Key", async () => {
		const request = node(
			'HTTP Request',
			'n8n-nodes-base.httpRequest',
			{
				url: `${baseUrl}/v1/browser-sessions`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'witriumApi',
				options: {},
			},
			{ typeVersion: 4.2 },
		);
		const result = await runWorkflow(line([manual(), request]), {
			credentials: { witriumApi: { apiToken: 'good-token', baseUrl } },
		});

		expect(result.status).toBe('success');
		expect(seen).toEqual([{ method: 'GET', url: '/v1/browser-sessions', key: 'good-token' }]);
		expect(outputJson(result, 'HTTP Request')).toEqual([{ id: 'sess-1', status: 'active' }]);
	});
});

describe('testCredential', () => {
	test("loads the package's witriumApi credential type", () => {
		expect(packageCredentialTypeNames()).toContain('witriumApi');
		expect([...packageLoadFailures().keys()].filter((f) => f.startsWith('credentials/'))).toEqual([]);
	});

	test('a working token passes, with the header the credential defines, on GET {baseUrl}/v1/browser-sessions', async () => {
		// A trailing slash on the base URL is tolerated by the credential's test request.
		await expect(testCredential('witriumApi', { apiToken: 'good-token', baseUrl: `${baseUrl}/` })).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen).toEqual([{ method: 'GET', url: '/v1/browser-sessions', key: 'good-token' }]);
	});

	test("a wrong token fails with the credential's responseCode rule, which n8n shows instead of the status text", async () => {
		// n8n's CredentialsTester never reads the body of a non-2xx answer, so the rule says what to fix.
		const result = await testCredential('witriumApi', { apiToken: 'wrong', baseUrl });
		expect(result).toEqual({ status: 'Error', message: expect.stringContaining('Witrium rejected the API token (401 Unauthorized)') });
		// n8n-core retries a 401 once after the credential's preAuthentication: two requests.
		expect(seen.map((s) => s.key)).toEqual(['wrong', 'wrong']);
	});

	test('an unreachable service reports the network error code', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		await expect(
			testCredential('witriumApi', { apiToken: 'good-token', baseUrl: `http://127.0.0.1:${port}` }),
		).resolves.toEqual({ status: 'Error', message: 'ECONNREFUSED' });
	});
});

// --- cancellation -------------------------------------------------------------

describe('cancellation (the user pressing "stop execution")', () => {
	const waiting = (parameters: INode['parameters']) =>
		line([manual(), node('Wait', 'n8n-nodes-witrium.harnessWait', parameters), noOp('After')], items({ n: 1 }));

	/** Runs `workflow` and aborts the signal once the Wait node has started. */
	async function stopOnceWaiting(workflow: WorkflowData, options: { cancelGraceMs?: number } = {}) {
		const controller = new AbortController();
		const started = once(waitEvents, 'started') as Promise<[WaitRecord]>;
		const pending = runWorkflow(workflow, { signal: controller.signal, ...options });
		const [record] = await started;
		controller.abort();
		return { result: await pending, record };
	}

	test('aborting the signal cancels the execution and a node on getExecutionCancelSignal stops at once', async () => {
		// A 20 s wait, a 10 s grace: the node counts as stopped only if the signal woke it.
		const { result, record } = await stopOnceWaiting(waiting({ waitMs: 20_000 }));

		expect(result.status).toBe('canceled');
		expect(result.error?.name).toBe('ManualExecutionCancelledError');
		expect(result.cancellation?.nodeStillRunning).toBe(false);
		expect(result.nodes.After).toBeUndefined();
		expect(record.aborted).toBe(true);
	});

	test('a node that ignores cancellation is reported still running after the grace period', async () => {
		const { result, record } = await stopOnceWaiting(waiting({ waitMs: 20_000, ignoreCancel: true }), { cancelGraceMs: 100 });

		expect(result.status).toBe('canceled');
		expect(result.cancellation?.nodeStillRunning).toBe(true);
		expect(record.endedAt).toBeUndefined();
		// Let the ignored wait finish before the next test.
		const ended = once(waitEvents, 'ended');
		waitEvents.emit('release');
		await ended;
		expect(record.aborted).toBe(false);
	});

	test("the workflow's executionTimeout stops it as n8n does, through the same cancel signal", async () => {
		// The wait (20 s) would end the run successfully: a cancelled run means the timeout (1 s) stopped it.
		const wf = { ...waiting({ waitMs: 20_000 }), settings: { executionTimeout: 1 } };
		const result = await runWorkflow(wf);

		expect(result.status).toBe('canceled');
		expect(result.error?.name).toBe('TimeoutExecutionCancelledError');
		expect(result.nodes.After).toBeUndefined();
	});

	test('an already-aborted signal runs nothing', async () => {
		const controller = new AbortController();
		controller.abort();
		const result = await runWorkflow(waiting({ waitMs: 5000 }), { signal: controller.signal });
		expect(result.status).toBe('canceled');
		expect(result.nodes.Wait).toBeUndefined();
	});
});

// --- polling triggers -------------------------------------------------------------

describe('createPollHarness', () => {
	const pollWorkflow = (feed: string, parameters: INode['parameters'] = {}): WorkflowData =>
		line([node('Poll', 'n8n-nodes-witrium.harnessPoll', { feed, ...parameters }), noOp('After')]);

	test('keeps static data across trigger polls; null when nothing is new', async () => {
		feeds.set('keep', [{ id: 1 }, { id: 2 }]);
		const harness = createPollHarness(pollWorkflow('keep'), 'Poll');

		expect((await harness.poll('trigger'))?.[0].map((i) => i.json)).toEqual([{ id: 1 }, { id: 2 }]);
		expect(harness.staticData()).toEqual({ lastId: 2 });
		expect(await harness.poll('trigger')).toBeNull();

		feeds.get('keep')!.push({ id: 3 });
		expect((await harness.poll('trigger'))?.[0].map((i) => i.json)).toEqual([{ id: 3 }]);
		expect(harness.polls).toBe(3);
	});

	test('manual mode ("Fetch Test Event") returns a sample and leaves the stored state alone', async () => {
		feeds.set('manual', [{ id: 1 }, { id: 2 }]);
		const harness = createPollHarness(pollWorkflow('manual'), 'Poll');

		expect((await harness.poll('manual'))?.[0].map((i) => i.json)).toEqual([{ id: 2, sample: true }]);
		expect(harness.staticData()).toEqual({});
		expect((await harness.poll('trigger'))?.[0]).toHaveLength(2);
	});

	test('the node gets a poll budget: PollContext default, or the one given', async () => {
		feeds.set('budget', [{ id: 1 }]);
		const before = budgetsSeen.length;
		const harness = createPollHarness(pollWorkflow('budget'), 'Poll', { pollBudgetMs: 36_000 });
		await harness.poll('trigger');
		await harness.poll('manual');
		expect(budgetsSeen.slice(before)).toEqual([36_000, 300_000]);
		expect(harness.getPollBudgetMs()).toBe(36_000);
		expect(createPollHarness(pollWorkflow('budget'), 'Poll').getPollBudgetMs()).toBe(300_000);
	});

	test('a poll error rejects with the node error', async () => {
		feeds.set('broken', [{ id: 1 }]);
		const harness = createPollHarness(pollWorkflow('broken', { failAfterAdvance: true }), 'Poll');
		await expect(harness.poll('trigger')).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: 'The feed broke after the cursor moved',
		});
	});

	test('inMemory: a change made by a poll that threw stays for the next poll', async () => {
		feeds.set('mem', [{ id: 1 }]);
		const data = pollWorkflow('mem', { failAfterAdvance: true });
		const harness = createPollHarness(data, 'Poll', { cursorMode: 'inMemory' });
		await expect(harness.poll('trigger')).rejects.toThrow();
		expect(harness.staticData()).toEqual({ lastId: 1 });
		expect(harness.storedStaticData()).toEqual({});
	});

	test('staged: a poll that threw loses its cursor move; emitting or returning null stores it', async () => {
		feeds.set('staged', [{ id: 1 }]);
		const failing = createPollHarness(pollWorkflow('staged', { failAfterAdvance: true }), 'Poll', {
			cursorMode: 'staged',
		});
		await expect(failing.poll('trigger')).rejects.toThrow();
		expect(failing.staticData()).toEqual({});

		const working = createPollHarness(pollWorkflow('staged'), 'Poll', { cursorMode: 'staged' });
		await working.poll('trigger');
		expect(working.storedStaticData()).toEqual({ lastId: 1 });
		expect(await working.poll('trigger')).toBeNull();
	});

	test('restart keeps what was stored: in memory only an emit stores static data', async () => {
		feeds.set('restart', [{ id: 1 }]);
		const harness = createPollHarness(pollWorkflow('restart'), 'Poll');
		await harness.poll('trigger');
		harness.restart();
		expect(await harness.poll('trigger')).toBeNull();
		expect(harness.staticData()).toEqual({ lastId: 1 });
	});

	test('runEmitted runs the rest of the workflow from the emitted items, in trigger mode', async () => {
		feeds.set('emit', [{ id: 7 }]);
		const harness = createPollHarness(pollWorkflow('emit'), 'Poll');
		const emitted = await harness.poll('trigger');
		const result = await harness.runEmitted(emitted!);
		expect(result.raw.mode).toBe('trigger');
		expect(outputJson(result, 'After')).toEqual([{ id: 7 }]);
	});

	test('a polling node gets the Poll Times parameter n8n adds to every polling node', () => {
		const harness = createPollHarness(pollWorkflow('x'), 'Poll');
		expect(harness.workflow.getNode('Poll')?.parameters.pollTimes).toEqual({ item: [{ mode: 'everyMinute' }] });
	});
});

// --- this package's nodes -----------------------------------------------------

describe("this package's node files", () => {
	test('the nodes and credentials package.json declares load as n8n loads them, as n8n-nodes-witrium.<name>', () => {
		const failures = [...packageLoadFailures()].map(([file, error]) => `${file}: ${error.message}`);
		expect(failures).toEqual([]);

		const { n8n } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
			n8n: { nodes: string[]; credentials: string[] };
		};
		const source = (dist: string) => dist.replace(/^dist\//, '').replace(/\.js$/, '.ts');
		const loadedFrom = Object.values(packageNodeTypeFiles()).sort();
		expect(loadedFrom).toEqual(n8n.nodes.map(source).sort());
		for (const type of Object.keys(packageNodeTypeFiles())) {
			expect(type).toMatch(/^n8n-nodes-witrium\.[a-z][A-Za-z]+$/);
		}
		expect(n8n.credentials.map(source)).toEqual(['credentials/WitriumApi.credentials.ts']);
		expect(packageCredentialTypeNames()).toEqual(['witriumApi']);
	});
});
