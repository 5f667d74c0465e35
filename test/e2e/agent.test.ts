/**
 * The Witrium nodes as AI Agent tools in a REAL n8n (each line), with a test-owned
 * OpenAI-compatible model (support/model-server.ts) and the simulator, no internet.
 *
 * Each workflow: Manual Trigger → "Chat Input" (a Set node emitting what n8n's Chat Trigger
 * emits: {sessionId, action: 'sendMessage', chatInput}) → AI Agent (the version each line's
 * editor adds: 3.1 on 2.x, 2.2 on 1.x) with the OpenAI Chat Model (typeVersion 1.2, whose
 * credential `url` points at the model server) and the package's tool nodes
 * (`n8n-nodes-witrium.<name>Tool`). The Chat Trigger itself cannot start an execution
 * headless (`n8n execute` and the REST run accept only a Manual Trigger start), so its item
 * is built by the Set node.
 *
 * One `n8n start` per line: the four cases run side by side through the REST API (the
 * editor's "Execute workflow"), which also lets the stop case press Stop mid-run. Every
 * case is checked at the simulator and in the requests the model received.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { WitriumSimulator } from '../../simulator';
import { DEMO_IDS } from '../../simulator/demo';
import { finishedExecution, startExecution, stopExecution, type FinishedExecution } from './support/editor-runs';
import { type ModelServer, type Turn, startModelServer, toolName } from './support/model-server';
import { LINES, type Line, N8nUnderTest, PACKAGE, type WorkflowNode, manualTrigger, node, startSimulator, witriumCredential } from './support/n8n';

/** The chat's own session id, as n8n's Chat Trigger sets it: it must never reach Witrium. */
const CHAT_SESSION_ID = 'chat-5e1f0c2a-agent-e2e';
const MODEL_CREDENTIAL = { id: 'openAiCredential01', name: 'Test model' };
const MISSING_WORKFLOW_ID = '99999999-9999-4999-8999-999999999999';

const fromAI = (key: string, description: string) => `={{ $fromAI('${key}', '${description}', 'string') }}`;

/** The id a tool output names, read the way a model would (n8n sends a JSON array of the items). */
function browserSessionIdIn(output: string): string {
	const match = /"browserSessionId":"([^"]+)"/.exec(output);
	if (!match) throw new Error(`no browserSessionId in tool output ${output}`);
	return match[1];
}

const SCRIPTS = {
	'run-tool': [() => ({ call: 'Log In', args: { username: 'jane@example.com' } }), () => ({ answer: 'You are logged in.' })],
	session: [
		() => ({ call: 'Open Browser' }),
		(turn: Turn) => ({ call: 'Log In', args: { username: 'sam@example.com', browserSessionId: browserSessionIdIn(turn.toolOutputs[0]) } }),
		(turn: Turn) => ({ call: 'Close Browser', args: { browserSessionId: browserSessionIdIn(turn.toolOutputs[0]) } }),
		() => ({ answer: 'Logged in and closed the browser.' }),
	],
	failures: [
		() => ({ call: 'Check Out' }),
		() => ({ call: 'Run Workflow by ID', args: { workflowId: MISSING_WORKFLOW_ID } }),
		() => ({ answer: 'Both failed; see the tool output.' }),
	],
	stop: [() => ({ call: 'Export' }), () => ({ answer: 'unreachable: the execution is stopped while the export runs' })],
	example: [
		() => ({ call: 'Open Browser' }),
		(turn: Turn) => ({ call: 'Log In', args: { username: 'kim@example.com', browserSessionId: browserSessionIdIn(turn.toolOutputs[0]) } }),
		(turn: Turn) => ({ call: 'Scrape Listings', args: { browserSessionId: browserSessionIdIn(turn.toolOutputs[0]) } }),
		(turn: Turn) => ({ call: 'Close Browser', args: { browserSessionId: browserSessionIdIn(turn.toolOutputs[0]) } }),
		() => ({ answer: 'Here are the five listings.' }),
	],
};

const runTool = (name: string, parameters: Record<string, unknown>, position: [number, number]): WorkflowNode =>
	node(name, `${PACKAGE}.witriumRunWorkflowTool`, parameters, { position });

/** Manual Trigger → Chat Input → AI Agent (+ model and tools), the user's message naming the script. */
function agentWorkflow(line: Line, id: string, script: keyof typeof SCRIPTS, tools: WorkflowNode[]): object {
	const start = manualTrigger();
	const chatItem = { sessionId: CHAT_SESSION_ID, action: 'sendMessage', chatInput: `[${script}] Please do it.` };
	const chat = node('Chat Input', 'n8n-nodes-base.set', { mode: 'raw', jsonOutput: JSON.stringify(chatItem), options: {} }, { typeVersion: 3.4, position: [220, 0] });
	const agent = node('AI Agent', '@n8n/n8n-nodes-langchain.agent', { options: {} }, { typeVersion: line === '2' ? 3.1 : 2.2, position: [440, 0] });
	const model = node(
		'Chat Model',
		'@n8n/n8n-nodes-langchain.lmChatOpenAi',
		{ model: { __rl: true, mode: 'id', value: 'test-model' }, options: {} },
		{ typeVersion: 1.2, position: [300, 250], credentials: { openAiApi: MODEL_CREDENTIAL } },
	);
	const toAgent = (type: string) => ({ [type]: [[{ node: agent.name, type, index: 0 }]] });
	return {
		id,
		name: `e2e agent: ${script}`,
		nodes: [start, chat, agent, model, ...tools],
		connections: {
			[start.name]: { main: [[{ node: chat.name, type: 'main', index: 0 }]] },
			[chat.name]: { main: [[{ node: agent.name, type: 'main', index: 0 }]] },
			[model.name]: toAgent('ai_languageModel'),
			...Object.fromEntries(tools.map((tool) => [tool.name, toAgent('ai_tool')])),
		},
		settings: { executionOrder: 'v1' },
	};
}

const loginArguments = { argument: [{ name: 'username', value: fromAI('username', 'Email address to log in with') }, { name: 'password', value: 'pw' }] };

const EXAMPLE_TRIGGER = 'When chat message received';

/**
 * examples/chat-agent-with-witrium-tools.json as a user imports it, with its Chat Trigger turned
 * into a Manual Trigger of the same name whose pinned item is what the Chat Trigger emits, and
 * the model credential (the example leaves it to the user) pointing at the model server.
 */
function chatAgentExample(): object {
	const wf = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../examples/chat-agent-with-witrium-tools.json'), 'utf8')) as { nodes: WorkflowNode[] };
	return {
		...wf,
		nodes: wf.nodes.map((n) =>
			n.name === EXAMPLE_TRIGGER
				? { ...n, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} }
				: n.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi'
					? { ...n, credentials: { openAiApi: MODEL_CREDENTIAL } }
					: n,
		),
		pinData: { [EXAMPLE_TRIGGER]: [{ json: { sessionId: CHAT_SESSION_ID, action: 'sendMessage', chatInput: '[example] What is for sale?' } }] },
	};
}

function workflows(line: Line): Record<keyof typeof SCRIPTS, object> {
	return {
		example: chatAgentExample(),
		'run-tool': agentWorkflow(line, 'wfAgentRunTool01', 'run-tool', [runTool('Log In', { workflowId: DEMO_IDS.loginWorkflow, arguments: loginArguments }, [440, 250])]),
		session: agentWorkflow(line, 'wfAgentSession01', 'session', [
			node('Open Browser', `${PACKAGE}.witriumBrowserSessionTool`, { operation: 'create' }, { position: [400, 250] }),
			runTool(
				'Log In',
				{ workflowId: DEMO_IDS.loginWorkflow, arguments: loginArguments, browserSessionId: fromAI('browserSessionId', 'The browserSessionId Open Browser returned') },
				[520, 250],
			),
			node(
				'Close Browser',
				`${PACKAGE}.witriumBrowserSessionTool`,
				{ operation: 'close', browserSessionId: fromAI('browserSessionId', 'The browserSessionId of the browser to close') },
				{ position: [640, 250] },
			),
		]),
		failures: agentWorkflow(line, 'wfAgentFailures01', 'failures', [
			runTool('Check Out', { workflowId: DEMO_IDS.failingWorkflow }, [440, 250]),
			runTool('Run Workflow by ID', { workflowId: fromAI('workflowId', 'ID of the Witrium workflow to run') }, [560, 250]),
		]),
		stop: agentWorkflow(line, 'wfAgentStop01', 'stop', [runTool('Export', { workflowId: DEMO_IDS.slowWorkflow }, [440, 250])]),
	};
}

const idOf = (wf: object) => (wf as { id: string }).id;

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
	for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await new Promise((r) => setTimeout(r, 100))) {
		const value = probe();
		if (value !== undefined) return value;
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe.each(LINES)('n8n %s.x: an AI Agent uses the Witrium tools', (line) => {
	let n8n: N8nUnderTest;
	let sim: WitriumSimulator;
	let model: ModelServer;
	const done: Partial<Record<keyof typeof SCRIPTS, FinishedExecution>> = {};
	let stopAnswer: { status: number; body: unknown };

	beforeAll(async () => {
		let url: string;
		let token: string;
		({ simulator: sim, url, token } = await startSimulator());
		model = await startModelServer(SCRIPTS);
		n8n = await N8nUnderTest.create(line);
		await n8n.importCredentials([
			witriumCredential(url, token),
			{ ...MODEL_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-test-not-a-real-key', url: model.url } },
		]);
		const all = workflows(line);
		await n8n.importWorkflows(Object.values(all));
		await n8n.startEditor();

		// All four side by side; the stop case is stopped once its Witrium run is going.
		const started = Object.fromEntries(
			await Promise.all(Object.entries(all).map(async ([script, wf]) => [script, await startExecution(n8n, idOf(wf), script === 'example' ? EXAMPLE_TRIGGER : 'Start')] as const)),
		) as Record<keyof typeof SCRIPTS, { executionId: string }>;
		await until('the export run to start', () => sim.runs().find((r) => r.definitionId === DEMO_IDS.slowWorkflow && r.status === 'R'));
		stopAnswer = await stopExecution(n8n, started.stop.executionId);
		await Promise.all(
			Object.entries(started).map(async ([script, { executionId }]) => {
				done[script as keyof typeof SCRIPTS] = await finishedExecution(n8n, executionId);
			}),
		);
		if (process.env.WITRIUM_E2E_KEEP) {
			const file = path.join(os.tmpdir(), `witrium-agent-e2e-n8n${line}.json`);
			fs.writeFileSync(file, JSON.stringify(model.requests, null, 2));
			process.stderr.write(`[e2e] model requests of n8n ${line}.x: ${file}\n`);
		}
	});

	afterAll(async () => {
		await n8n?.dispose();
		await model?.stop();
		await sim?.stop();
	});

	/** Every request the simulator got, as text: what Witrium saw. */
	const witriumSaw = () => JSON.stringify(sim.requests.map((r) => [r.method, r.path, r.query, r.body]));

	test('behind chat-shaped input, Run Workflow as a tool: $fromAI values reach Witrium as args, the run result reaches the model', () => {
		expect(done['run-tool']?.status).toBe('success');
		const conversation = model.conversation('run-tool');
		expect(conversation).toHaveLength(2);

		// The tool as offered: its $fromAI key is the schema, its description says what it does.
		const offered = conversation[0].tools.find((t) => t.function.name === toolName('Log In'));
		expect(offered?.function.parameters).toEqual(expect.objectContaining({ properties: { username: expect.objectContaining({ type: 'string' }) } }));
		expect(offered?.function.description).toMatch(/return its runId, status and result\. .*browserSessionId.* at most 5 minutes/);

		const login = sim.runs().filter((r) => r.definitionId === DEMO_IDS.loginWorkflow && r.args.username === 'jane@example.com');
		expect(login.map((r) => [r.args, r.sessionId, r.status])).toEqual([[{ username: 'jane@example.com', password: 'pw' }, null, 'C']]);

		const [toolMessage] = conversation[1].messages.filter((m) => m.role === 'tool');
		const output = JSON.parse(toolMessage.content as string) as Array<Record<string, unknown>>;
		// Sized for a model: the result as the workflow returned it, no empty fields, no status letter, no format tag.
		expect(output).toEqual([
			{ runId: login[0].runId, workflowId: DEMO_IDS.loginWorkflow, statusName: 'completed', startedAt: expect.any(String), completedAt: expect.any(String), result: { loggedIn: true, user: 'jane@example.com' } },
		]);
		expect(done['run-tool']?.items('AI Agent')).toEqual([expect.objectContaining({ output: 'You are logged in.' })]);
	});

	test('a chat item\'s sessionId never reaches Witrium', () => {
		expect(sim.requests.length).toBeGreaterThan(0);
		expect(witriumSaw()).not.toContain(CHAT_SESSION_ID);
	});

	test('the model drives a session: create, run in it with the id it got back, close; nothing left open', () => {
		expect(done.session?.status).toBe('success');
		const conversation = model.conversation('session');
		expect(conversation).toHaveLength(4);
		const login = sim.runs().filter((r) => r.args.username === 'sam@example.com');
		const sessionId = login[0]?.sessionId as string;
		expect(login.map((r) => [r.sessionId, r.status])).toEqual([[expect.any(String), 'C']]);
		expect(sim.sessions().find((s) => s.sessionId === sessionId)?.status).toBe('closed');
		// Nothing left open by any case.
		expect(sim.sessions().filter((s) => s.status !== 'closed')).toEqual([]);
		const toolOutputs = conversation[3].messages.filter((m) => m.role === 'tool').map((m) => m.content as string);
		expect(toolOutputs[0]).toContain(sessionId);
		expect(JSON.parse(toolOutputs[1])).toEqual([expect.objectContaining({ browserSessionId: sessionId, statusName: 'completed' })]);
		expect(JSON.parse(toolOutputs[2])).toEqual([expect.objectContaining({ browserSessionId: sessionId, closed: true })]);
	});

	test('a failing run and a bad id reach the model as readable tool output, and the agent finishes', () => {
		expect(done.failures?.status).toBe('success');
		expect(done.failures?.items('AI Agent')).toEqual([expect.objectContaining({ output: 'Both failed; see the tool output.' })]);
		const conversation = model.conversation('failures');
		expect(conversation).toHaveLength(3);
		const [failedRun, badId] = conversation[2].messages.filter((m) => m.role === 'tool').map((m) => m.content as string);
		// The service's message and what to do about it.
		expect(failedRun).toContain('Element not found: #pay-button');
		expect(failedRun).toMatch(/failed/);
		expect(badId).toContain(MISSING_WORKFLOW_ID);
		expect(badId).toMatch(/404/);
		expect(badId).toMatch(/Check the id/);
		expect(sim.runs().filter((r) => r.definitionId === DEMO_IDS.failingWorkflow).map((r) => r.status)).toEqual(['F']);
	});

	test('stopping the execution while a tool waits cancels the Witrium run', () => {
		expect(stopAnswer.status).toBe(200);
		expect(done.stop?.status).toBe('canceled');
		const exports = sim.runs().filter((r) => r.definitionId === DEMO_IDS.slowWorkflow);
		expect(exports.map((r) => r.status)).toEqual(['X']);
		expect(sim.requests.some((r) => r.method === 'POST' && r.path.includes(exports[0].runId) && r.path.includes('cancel'))).toBe(true);
	});

	test('the example: a chat opens a browser, logs in and scrapes in it, closes it, and answers', () => {
		expect(done.example?.status).toBe('success');
		expect(done.example?.items('AI Agent')).toEqual([expect.objectContaining({ output: 'Here are the five listings.' })]);
		const conversation = model.conversation('example');
		expect(conversation).toHaveLength(5);
		expect(conversation[0].messages[0]).toEqual(expect.objectContaining({ role: 'system', content: expect.stringContaining('first call Open Browser') }));
		// Its own description per workflow tool, so the model can tell them apart.
		const description = (name: string) => conversation[0].tools.find((t) => t.function.name === toolName(name))?.function.description;
		expect(description('Scrape Listings')).toMatch(/^Reads the first five listings/);
		expect(description('Log In')).toMatch(/^Logs in to the demo shop/);

		const runs = sim.runs().filter((r) => r.args.username === 'kim@example.com' || r.definitionId === DEMO_IDS.scrapeWorkflow);
		const sessionId = runs[0]?.sessionId;
		expect(runs.map((r) => [r.definitionId, r.sessionId, r.status])).toEqual([
			[DEMO_IDS.loginWorkflow, sessionId, 'C'],
			[DEMO_IDS.scrapeWorkflow, sessionId, 'C'],
		]);
		expect(sim.sessions().find((s) => s.sessionId === sessionId)?.status).toBe('closed');
		const scraped = conversation[4].messages.filter((m) => m.role === 'tool').map((m) => m.content as string)[2];
		expect(JSON.parse(scraped)[0].result).toHaveLength(5);
	});

	test('the API token never appears in what the model received', () => {
		expect(JSON.stringify(model.requests)).not.toContain(sim.token);
	});
});
