/**
 * The verified (n8n Cloud) edition, `@witrium/n8n-nodes-witrium`, packed by `npm run pack:verified`
 * and installed in a REAL n8n (each line) as n8n's community-package installer does. One
 * `n8n start` per line, every case side by side through the REST API (the editor's "Execute
 * workflow"):
 * - nodes: a browser session opened, a run in it, the session closed (default expressions carry the id);
 * - stop: stopping the execution while Run Workflow waits cancels the Witrium run;
 * - an AI Agent calls Run Workflow as a tool, and the result reaches the model;
 * - the trigger, active (published before the start), emits a finished run at a scheduled poll.
 * Every request goes through n8n's own HTTP helper: the package has no dependency of its own.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type { WitriumSimulator } from '../../simulator';
import { DEMO_IDS } from '../../simulator/demo';
import { finishedExecution, startExecution, stopExecution, type FinishedExecution } from './support/editor-runs';
import { type ModelServer, startModelServer, toolName } from './support/model-server';
import { LINES, N8nUnderTest, VERIFIED_PACKAGE, linearWorkflow, manualTrigger, node, startSimulator, verifiedTarball, witriumCredential } from './support/n8n';

const NODES_ID = 'wfVerifiedNodes01';
const STOP_ID = 'wfVerifiedStop01';
const AGENT_ID = 'wfVerifiedAgent01';
const TRIGGER_ID = 'wfVerifiedTrigger01';
const MODEL_CREDENTIAL = { id: 'openAiCredential01', name: 'Test model' };
const type = (name: string) => `${VERIFIED_PACKAGE}.${name}`;

const SCRIPTS = {
	'run-tool': [() => ({ call: 'Log In', args: { username: 'ada@example.com' } }), () => ({ answer: 'You are logged in.' })],
};

/** Manual Trigger → AI Agent (+ model and the Run Workflow tool); the user's message is pinned on the trigger. */
function agentWorkflow(line: string): object {
	const start = manualTrigger();
	const agent = node('AI Agent', '@n8n/n8n-nodes-langchain.agent', { promptType: 'define', text: '[run-tool] Please log in.', options: {} }, { typeVersion: line === '2' ? 3.1 : 2.2, position: [220, 0] });
	const model = node(
		'Chat Model',
		'@n8n/n8n-nodes-langchain.lmChatOpenAi',
		{ model: { __rl: true, mode: 'id', value: 'test-model' }, options: {} },
		{ typeVersion: 1.2, position: [200, 250], credentials: { openAiApi: MODEL_CREDENTIAL } },
	);
	const tool = node(
		'Log In',
		type('witriumRunWorkflowTool'),
		{
			workflowId: DEMO_IDS.loginWorkflow,
			arguments: { argument: [{ name: 'username', value: "={{ $fromAI('username', 'Email address to log in with', 'string') }}" }, { name: 'password', value: 'pw' }] },
		},
		{ position: [340, 250] },
	);
	const toAgent = (kind: string) => ({ [kind]: [[{ node: agent.name, type: kind, index: 0 }]] });
	return {
		id: AGENT_ID,
		name: 'e2e verified: agent',
		nodes: [start, agent, model, tool],
		connections: { [start.name]: { main: [[{ node: agent.name, type: 'main', index: 0 }]] }, [model.name]: toAgent('ai_languageModel'), [tool.name]: toAgent('ai_tool') },
		settings: { executionOrder: 'v1' },
	};
}

/** Witrium Trigger (every minute, waiting up to 30 s per poll for the quick login workflow) → HTTP Request to the sink. */
function triggerWorkflow(sinkUrl: string): object {
	const trigger = node('Witrium Trigger', type('witriumTrigger'), {
		pollTimes: { item: [{ mode: 'everyMinute' }] },
		workflowId: DEMO_IDS.loginWorkflow,
		emit: 'always',
		options: { maxWait: 30 },
	});
	const report = node('Report', 'n8n-nodes-base.httpRequest', { url: `=${sinkUrl}/{{ $json.runId }}/{{ $json.statusName }}`, options: {} }, { typeVersion: 4.2 });
	return {
		id: TRIGGER_ID,
		name: 'e2e verified: trigger',
		nodes: [trigger, report],
		connections: { 'Witrium Trigger': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Records the paths the trigger workflow's HTTP Request node calls, and says when the first came. */
async function startSink(): Promise<{ url: string; first: Promise<string>; close(): Promise<void> }> {
	let hit: (path: string) => void = () => undefined;
	const first = new Promise<string>((resolve) => (hit = resolve));
	const server = http.createServer((req, res) => {
		hit(req.url ?? '');
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, first, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
	for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await new Promise((r) => setTimeout(r, 100))) {
		const value = probe();
		if (value !== undefined) return value;
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe.each(LINES)('n8n %s.x: the verified edition', (line) => {
	let n8n: N8nUnderTest;
	let sim: WitriumSimulator;
	let model: ModelServer;
	let sink: Awaited<ReturnType<typeof startSink>>;
	const done: Record<string, FinishedExecution> = {};
	let stopAnswer: { status: number };
	let emitted: string;

	beforeAll(async () => {
		let url: string;
		let token: string;
		({ simulator: sim, url, token } = await startSimulator());
		model = await startModelServer(SCRIPTS);
		sink = await startSink();
		n8n = await N8nUnderTest.create(line, { tarball: await verifiedTarball() });
		await n8n.importCredentials([witriumCredential(url, token), { ...MODEL_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-test-not-a-real-key', url: model.url } }]);
		await n8n.importWorkflows([
			linearWorkflow(NODES_ID, 'e2e verified: nodes', [
				node('Open', type('witriumBrowserSession'), { operation: 'create' }),
				node('Log In', type('witriumRunWorkflow'), { workflowId: DEMO_IDS.loginWorkflow, arguments: { argument: [{ name: 'username', value: 'lin@example.com' }] } }),
				node('Close', type('witriumBrowserSession'), { operation: 'close' }),
			]),
			linearWorkflow(STOP_ID, 'e2e verified: stop', [node('Export', type('witriumRunWorkflow'), { workflowId: DEMO_IDS.slowWorkflow, browserSessionId: '' })]),
			agentWorkflow(line),
			triggerWorkflow(sink.url),
		]);
		const activated = await n8n.command(line === '2' ? ['publish:workflow', `--id=${TRIGGER_ID}`] : ['update:workflow', `--id=${TRIGGER_ID}`, '--active=true']);
		expect(activated.exitCode).toBe(0);
		await n8n.startEditor();

		const started = Object.fromEntries(
			await Promise.all([NODES_ID, STOP_ID, AGENT_ID].map(async (id) => [id, (await startExecution(n8n, id)).executionId] as const)),
		);
		await until('the export run to start', () => sim.runs().find((r) => r.definitionId === DEMO_IDS.slowWorkflow && r.status === 'R'));
		stopAnswer = await stopExecution(n8n, started[STOP_ID]);
		await Promise.all(Object.entries(started).map(async ([id, executionId]) => (done[id] = await finishedExecution(n8n, executionId))));
		// The first scheduled poll comes within a minute of the start (activation polls send nothing).
		emitted = await sink.first;
	}, 300_000);

	afterAll(async () => {
		await n8n?.dispose();
		await sink?.close();
		await model?.stop();
		await sim?.stop();
	});

	test('installed with no dependency of its own, under its scoped name', () => {
		const installed = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', ...VERIFIED_PACKAGE.split('/'));
		expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).name).toBe(VERIFIED_PACKAGE);
		expect(fs.existsSync(path.join(installed, 'node_modules'))).toBe(false);
	});

	test('nodes: a session opened, a run in it, the session closed, the id carried by the default expressions', () => {
		expect(done[NODES_ID].status).toBe('success');
		const [opened] = done[NODES_ID].items('Open');
		const sessionId = opened.browserSessionId as string;
		expect(done[NODES_ID].items('Log In')).toEqual([expect.objectContaining({ browserSessionId: sessionId, statusName: 'completed', result: { loggedIn: true, user: 'lin@example.com' } })]);
		expect(done[NODES_ID].items('Close')).toEqual([expect.objectContaining({ browserSessionId: sessionId, closed: true })]);
		expect(sim.sessions().find((s) => s.sessionId === sessionId)?.status).toBe('closed');
		// The credential's authenticate put the key on every request (the simulator refuses others with 401).
		expect(sim.requests.every((r) => r.status !== 401)).toBe(true);
	});

	test('stopping the execution while Run Workflow waits cancels the Witrium run', () => {
		expect(stopAnswer.status).toBe(200);
		expect(done[STOP_ID].status).toBe('canceled');
		const exports = sim.runs().filter((r) => r.definitionId === DEMO_IDS.slowWorkflow);
		expect(exports.map((r) => r.status)).toEqual(['X']);
		expect(sim.requests.some((r) => r.method === 'POST' && r.path === `/v1/runs/${exports[0].runId}/cancel`)).toBe(true);
	});

	test('an AI Agent calls Run Workflow as a tool: the $fromAI value reaches Witrium, the result reaches the model', () => {
		expect(done[AGENT_ID].status).toBe('success');
		expect(done[AGENT_ID].items('AI Agent')).toEqual([expect.objectContaining({ output: 'You are logged in.' })]);
		const conversation = model.conversation('run-tool');
		expect(conversation[0].tools.map((t) => t.function.name)).toContain(toolName('Log In'));
		const login = sim.runs().filter((r) => r.args.username === 'ada@example.com');
		expect(login.map((r) => r.status)).toEqual(['C']);
		const [toolMessage] = conversation[1].messages.filter((m) => m.role === 'tool');
		expect(JSON.parse(toolMessage.content as string)).toEqual([expect.objectContaining({ runId: login[0].runId, statusName: 'completed', result: { loggedIn: true, user: 'ada@example.com' } })]);
		expect(JSON.stringify(model.requests)).not.toContain(sim.token);
	});

	test('the active trigger emits a run it started and saw finish', () => {
		const [, runId, statusName] = emitted.split('/');
		expect(statusName).toBe('completed');
		const run = sim.runs().find((r) => r.runId === runId);
		expect(run).toMatchObject({ definitionId: DEMO_IDS.loginWorkflow, status: 'C' });
	});
});
