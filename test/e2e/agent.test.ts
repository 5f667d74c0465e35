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
 *
 * In the same n8n, beside them: an agent outside n8n (the MCP SDK's client) uses the tools of
 * examples/mcp-server-for-remote-agents.json through its MCP Server Trigger, published before
 * `n8n start` (support/mcp-agent.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { WitriumSimulator } from '../../simulator';
import { DEMO_IDS } from '../../simulator/demo';
import { finishedExecution, startExecution, stopExecution, type FinishedExecution } from './support/editor-runs';
import { MCP_DEFINITIONS, MCP_IDS, MCP_TOKEN, MCP_TOKEN_CREDENTIAL, MCP_WORKFLOW_ID, type RemoteAgentSaw, mcpWorkflow, remoteAgent } from './support/mcp-agent';
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
	let mcp: RemoteAgentSaw;

	beforeAll(async () => {
		let url: string;
		let token: string;
		({ simulator: sim, url, token } = await startSimulator());
		sim.define(MCP_DEFINITIONS);
		model = await startModelServer(SCRIPTS);
		n8n = await N8nUnderTest.create(line);
		await n8n.importCredentials([
			witriumCredential(url, token),
			{ ...MODEL_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-test-not-a-real-key', url: model.url } },
			MCP_TOKEN_CREDENTIAL,
		]);
		const all = workflows(line);
		await n8n.importWorkflows([...Object.values(all), mcpWorkflow()]);
		await n8n.activate([MCP_WORKFLOW_ID]);
		await n8n.startEditor();
		const remote = remoteAgent(n8n, sim);

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
		mcp = await remote;
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

		// The runs in the session of kim's login (the MCP cases scrape in a session of their own).
		const sessionId = sim.runs().find((r) => r.args.username === 'kim@example.com')?.sessionId;
		expect(sessionId).toEqual(expect.any(String));
		const runs = sim.runs().filter((r) => r.sessionId === sessionId);
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

	describe('over MCP, an agent outside n8n', () => {
		const exampleTools = ['Open_Browser', 'Log_In', 'Scrape_Listings', 'Summarize_Page', 'Close_Browser'];
		const tool = (name: string) => mcp.tools.find((t) => t.name === name);
		const answer = (a: { json: unknown }) => (a.json as Array<Record<string, unknown>>)[0];

		test('lists the example\'s tools with their descriptions and input schemas: each $fromAI key a required string', () => {
			expect(mcp.tools.map((t) => t.name).sort()).toEqual([...exampleTools, 'Archive_Shop', 'Export_Everything', 'Read_Reviews'].sort());
			const properties = (name: string) => tool(name)?.inputSchema.properties ?? {};
			expect(Object.keys(properties('Open_Browser'))).toEqual([]);
			expect(properties('Log_In')).toEqual({
				username: { type: 'string', description: 'Email address of the shop account to log in with' },
				browserSessionId: { type: 'string', description: 'The browserSessionId that Open_Browser returned' },
			});
			expect(tool('Log_In')?.inputSchema.required?.sort()).toEqual(['browserSessionId', 'username']);
			for (const name of ['Scrape_Listings', 'Summarize_Page', 'Close_Browser']) expect(tool(name)?.inputSchema.required).toEqual(['browserSessionId']);
			// Written for an agent that has never seen n8n: what to call first, what to pass on, what to do when.
			expect(tool('Open_Browser')?.description).toMatch(/^Opens a new cloud browser .* Call this first\./);
			expect(tool('Summarize_Page')?.description).toMatch(/may still be running, do not call this tool again/);
			expect(exampleTools.map((name) => tool(name)?.description).join(' ')).not.toMatch(/n8n|\$fromAI|node/i);
		});

		test('chains a session: the id Open_Browser returned reaches every next call, the client\'s username reaches Witrium, one run per call', () => {
			const { open, login, scrape, summary, close } = mcp.chain;
			expect([open, login, scrape, summary, close].map((a) => a.isError)).toEqual([false, false, false, false, false]);
			const sessionId = answer(open).browserSessionId as string;
			expect(sessionId).toEqual(expect.any(String));
			const inSession = sim.runs().filter((r) => r.sessionId === sessionId);
			expect(inSession.map((r) => [r.definitionId, r.args, r.status])).toEqual([
				[DEMO_IDS.loginWorkflow, { username: 'remote.agent@example.com', password: 'correct horse' }, 'C'],
				[DEMO_IDS.scrapeWorkflow, {}, 'C'],
				[DEMO_IDS.summarizeTalent, {}, 'C'],
			]);
			expect(answer(login)).toEqual(expect.objectContaining({ runId: inSession[0].runId, statusName: 'completed', browserSessionId: sessionId, result: { loggedIn: true, user: 'remote.agent@example.com' } }));
			expect(answer(scrape).result).toHaveLength(5);
			expect(answer(summary).result).toEqual({ summary: expect.stringMatching(/furniture shop/) });
			expect(answer(close)).toEqual(expect.objectContaining({ browserSessionId: sessionId, closed: true }));
			expect(sim.sessions().find((s) => s.sessionId === sessionId)?.status).toBe('closed');
		});

		test('a large result answers with at most 20,000 characters of JSON and says what was cut', () => {
			expect(mcp.huge.isError).toBe(false);
			expect(mcp.huge.text.length).toBeLessThanOrEqual(20_000);
			const [item] = mcp.huge.json as Array<{ result: unknown[]; truncated: string; statusName: string }>;
			expect(item.statusName).toBe('completed');
			expect(item.result.length).toBeGreaterThan(100);
			expect(item.result.length).toBeLessThan(3000);
			expect(item.result[0]).toEqual({ id: 'L-10000', title: 'Listing number 0', price: 10 });
			expect(item.truncated).toContain(`"result" holds its first ${item.result.length} of 3000 entries`);
		});

		test('a talent that outlasts its Timeout answers that it may still be running and not to call again; it ran once', () => {
			expect(mcp.talent.text).toMatch(/Talent \S+ gave no answer within 1 s; it may have started and still be running in Witrium/);
			expect(mcp.talent.text).toMatch(/Do not call this tool again for the same request unless the user asks to/);
			expect(sim.runCount(MCP_IDS.heldTalent)).toBe(1);
		});

		test('a wrong bearer token is refused before anything reaches Witrium, also on a live session', () => {
			expect(mcp.wrongToken.connect.status).toBe(403);
			expect(mcp.wrongToken.toolCall.status).toBe(403);
			expect(witriumSaw()).not.toContain('intruder@example.com');
		});

		test('a client that gives up on a call leaves its Witrium run going: no execution to stop, no cancel signal, the node waits on', () => {
			const { clientSaw, runId, runningExecutions, statusAtPollAfterAbandon, recorded } = mcp.abandoned;
			expect(clientSaw).toMatch(/rejected: .*the user gave up/);
			// n8n runs an MCP tool call inside the webhook request and records the execution only after it.
			expect(runningExecutions).toEqual([]);
			// After the client left, the node still polled the run and cancelled nothing.
			expect(statusAtPollAfterAbandon).toBe('R');
			expect(sim.requests.filter((r) => r.path.includes(runId) && r.path.includes('cancel'))).toEqual([]);
			expect(sim.runs().find((r) => r.runId === runId)?.status).toBe('C');
			// The execution n8n recorded for the call.
			expect(recorded.status).toBe('success');
			const [archive] = recorded.output.data.resultData.runData['Archive Shop'] as unknown as Array<{
				executionStatus: string;
				data: { ai_tool: Array<Array<{ json: { response?: unknown } }>> };
			}>;
			if (line === '2') {
				// 2.x records it as soon as the client has gone, the tool still running in it; the run's end is recorded nowhere.
				expect(archive.executionStatus).toBe('running');
				expect(archive.data.ai_tool[0][0].json.response).toBeUndefined();
			} else {
				// 1.x holds the request until the tool has answered, then records the answer that reached no one.
				expect(archive.data.ai_tool[0][0].json.response).toEqual([expect.objectContaining({ runId, statusName: 'completed', result: { archived: true } })]);
			}
		});

		test('neither the API token nor the MCP token appears in a tool answer', () => {
			const all = mcp.texts.join('\n');
			expect(all).not.toContain(sim.token);
			expect(all).not.toContain(MCP_TOKEN);
		});
	});
});
