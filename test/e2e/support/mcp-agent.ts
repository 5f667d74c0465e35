/**
 * A remote agent driving examples/mcp-server-for-remote-agents.json through n8n's MCP Server
 * Trigger, for agent.test.ts: the workflow as a user imports it plus three tools for the cases
 * the example's demo data cannot show (a large result, a talent that outlasts its Timeout, a run
 * the client gives up on), and `remoteAgent()`, which makes the calls and records what it saw.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { WitriumSimulator } from '../../../simulator';
import type { Definitions } from '../../../simulator/types';
import { type McpConnection, type ToolAnswer, callTool, connectMcp, untilServing } from './mcp-client';
import { type FinishedExecution, finishedExecution } from './editor-runs';
import { type N8nUnderTest, PACKAGE, type WorkflowNode, node } from './n8n';

export const MCP_WORKFLOW_ID = 'witriumExampleMcp';
export const MCP_PATH = 'witrium';
/** The example's bearer credential, with the token the suite's client sends. */
export const MCP_TOKEN = 'mcp-e2e-client-token';
export const MCP_TOKEN_CREDENTIAL = { id: 'witriumMcpToken01', name: 'Witrium MCP client token', type: 'httpBearerAuth', data: { token: MCP_TOKEN } };

export const MCP_IDS = {
	/** A workflow whose result is 3,000 listings (about 150,000 characters of JSON). */
	hugeWorkflow: 'e2e00001-0000-4000-8000-000000000001',
	/** A workflow whose one step lasts until the test ends it (sim.endRun). */
	heldWorkflow: 'e2e00001-0000-4000-8000-000000000002',
	/** A talent that lasts until the test ends it. */
	heldTalent: 'e2e00001-0000-4000-8000-000000000003',
} as const;

const HELD_MS = 600_000;

export const MCP_DEFINITIONS: Definitions = {
	workflows: [
		{
			id: MCP_IDS.hugeWorkflow,
			name: 'Export every listing',
			steps: [{ instruction: 'Extract every listing', durationMs: 200 }],
			result: Array.from({ length: 3000 }, (_, i) => ({ id: `L-${10000 + i}`, title: `Listing number ${i}`, price: 10 + (i % 500) })),
			resultFormat: 'json',
		},
		{ id: MCP_IDS.heldWorkflow, name: 'Archive', steps: [{ instruction: 'Archive the shop', durationMs: HELD_MS }], result: { archived: true }, resultFormat: 'json' },
	],
	talents: [{ id: MCP_IDS.heldTalent, name: 'Read every review', durationMs: HELD_MS, result: { summary: 'late' }, resultFormat: 'json' }],
};

/** The suite's tools beside the example's (MCP names: Export_Everything, Archive_Shop, Read_Reviews). */
const SUITE_TOOLS: WorkflowNode[] = [
	node('Export Everything', `${PACKAGE}.witriumRunWorkflowTool`, { workflowId: MCP_IDS.hugeWorkflow }, { position: [540, 260] }),
	node('Archive Shop', `${PACKAGE}.witriumRunWorkflowTool`, { workflowId: MCP_IDS.heldWorkflow }, { position: [720, 260] }),
	node('Read Reviews', `${PACKAGE}.witriumRunTalentTool`, { talentId: MCP_IDS.heldTalent, options: { requestTimeout: 1 } }, { position: [900, 260] }),
];

/** The example as a user imports it, with the suite's tools attached to its MCP Server Trigger. */
export function mcpWorkflow(): object {
	const file = path.resolve(__dirname, '../../../examples/mcp-server-for-remote-agents.json');
	const wf = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: WorkflowNode[]; connections: Record<string, unknown> };
	const trigger = wf.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
	if (!trigger || trigger.parameters.path !== MCP_PATH || wf.nodes.length !== 6) throw new Error(`${file} is not the workflow this suite expects`);
	return {
		...wf,
		nodes: [...wf.nodes, ...SUITE_TOOLS],
		connections: { ...wf.connections, ...Object.fromEntries(SUITE_TOOLS.map((t) => [t.name, { ai_tool: [[{ node: trigger.name, type: 'ai_tool', index: 0 }]] }])) },
	};
}

export interface RemoteAgentSaw {
	tools: Array<{ name: string; description?: string; inputSchema: { properties?: Record<string, { type?: string; description?: string }>; required?: string[] } }>;
	/** The session chain, in call order. */
	chain: { open: ToolAnswer; login: ToolAnswer; scrape: ToolAnswer; summary: ToolAnswer; close: ToolAnswer };
	huge: ToolAnswer;
	talent: ToolAnswer;
	wrongToken: { connect: { status: number; body: string }; toolCall: { status: number; body: string } };
	abandoned: {
		/** How the client's own call ended (rejected by its abort). */
		clientSaw: string;
		runId: string;
		/** Executions of the MCP workflow that n8n listed as running while the call was going. */
		runningExecutions: unknown[];
		/** The run's status at the first poll the node made after the client had gone. */
		statusAtPollAfterAbandon: string;
		/** The execution n8n recorded for the call. */
		recorded: FinishedExecution;
	};
	/** Every text a tool answered with. */
	texts: string[];
}

/** POSTs one JSON-RPC message to the MCP URL as a client would, with the given token. */
async function rawPost(url: string, token: string, message: object, sessionId?: string): Promise<{ status: number; body: string }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${token}`,
			'content-type': 'application/json',
			accept: 'application/json, text/event-stream',
			...(sessionId ? { 'mcp-session-id': sessionId } : {}),
		},
		body: JSON.stringify(message),
	});
	return { status: res.status, body: await res.text() };
}

/**
 * Calls `toolName`, and once `whenGoing()` resolves gives up on the call the way MCP clients do:
 * cancels it (the SDK sends `notifications/cancelled`; n8n has taken it once that POST is
 * answered), then disconnects. Resolves with how the call ended for the client and when it left.
 */
async function abandonCall(mcp: McpConnection, toolName: string, whenGoing: () => Promise<void>): Promise<{ clientSaw: string; goneAt: number }> {
	const controller = new AbortController();
	let cancelDelivered: Promise<void> | undefined;
	const send = mcp.transport.send.bind(mcp.transport);
	mcp.transport.send = (message, options) => {
		const sent = send(message, options);
		if ('method' in message && message.method === 'notifications/cancelled') cancelDelivered = sent;
		return sent;
	};
	const call = callTool(mcp, toolName, {}, { signal: controller.signal }).then(
		() => 'answered',
		(error: unknown) => `rejected: ${String(error)}`,
	);
	await whenGoing();
	controller.abort('the user gave up');
	const clientSaw = await call;
	await cancelDelivered;
	await mcp.close();
	return { clientSaw, goneAt: Date.now() };
}

/** Polls n8n's execution list (REST) until an execution of the MCP workflow holds a run of `nodeName`. */
async function executionOf(n8n: N8nUnderTest, nodeName: string, timeoutMs = 60_000): Promise<FinishedExecution> {
	const rest = await n8n.session();
	const seen = new Set<string>();
	for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await new Promise((r) => setTimeout(r, 500))) {
		const listed = await rest.request('GET', '/rest/executions');
		for (const e of (listed.body?.data?.results ?? []) as Array<{ id: string; workflowId: string }>) {
			if (e.workflowId !== MCP_WORKFLOW_ID || seen.has(e.id)) continue;
			seen.add(e.id);
			const execution = await finishedExecution(n8n, e.id);
			if (execution.output.data.resultData.runData[nodeName]) return execution;
		}
	}
	throw new Error(`no execution of ${MCP_WORKFLOW_ID} ran ${nodeName} within ${timeoutMs / 1000} s`);
}

/** What the remote agent does, all through the production MCP URL; `sim` tells when runs start. */
export async function remoteAgent(n8n: N8nUnderTest, sim: WitriumSimulator): Promise<RemoteAgentSaw> {
	const url = `${n8n.requireEditor().baseUrl}/mcp/${MCP_PATH}`;
	await untilServing(url, MCP_TOKEN);
	const mcp = await connectMcp(url, MCP_TOKEN);
	const texts: string[] = [];
	const call = async (name: string, args: Record<string, unknown>) => {
		const answer = await callTool(mcp, name, args);
		texts.push(answer.text);
		return answer;
	};
	const idIn = (answer: ToolAnswer) => (answer.json as Array<{ browserSessionId?: string }>)?.[0]?.browserSessionId as string;
	try {
		const { tools } = await mcp.client.listTools();

		// An agent's chain: the session id it got back goes into every next call.
		const open = await call('Open_Browser', {});
		const browserSessionId = idIn(open);
		const login = await call('Log_In', { username: 'remote.agent@example.com', browserSessionId });
		const scrape = await call('Scrape_Listings', { browserSessionId });
		const summary = await call('Summarize_Page', { browserSessionId });
		const close = await call('Close_Browser', { browserSessionId });

		const huge = await call('Export_Everything', {});
		const talent = await call('Read_Reviews', {});
		const heldTalent = sim.runs().find((r) => r.definitionId === MCP_IDS.heldTalent);
		if (heldTalent) sim.endRun(heldTalent.runId);

		// A wrong token: refused at the first request, and at a tool call naming a live session.
		const wrongToken = {
			connect: await rawPost(url, 'not-the-token', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'intruder', version: '1' } } }),
			toolCall: await rawPost(
				url,
				'not-the-token',
				{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'Log_In', arguments: { username: 'intruder@example.com', browserSessionId } } },
				mcp.transport.sessionId,
			),
		};

		// A call the client gives up on while its Witrium run is going.
		const leaving = await connectMcp(url, MCP_TOKEN);
		let runningExecutions: unknown[] = [];
		const gone = await abandonCall(leaving, 'Archive_Shop', async () => {
			await sim.until(() => sim.runs().some((r) => r.definitionId === MCP_IDS.heldWorkflow && r.status === 'R'));
			const listed = await (await n8n.session()).request('GET', '/rest/executions');
			runningExecutions = (listed.body?.data?.results ?? []).filter(
				(e: { workflowId: string; status: string }) => e.workflowId === MCP_WORKFLOW_ID && ['new', 'running'].includes(e.status),
			);
		});
		const runId = sim.runs().find((r) => r.definitionId === MCP_IDS.heldWorkflow)?.runId as string;
		// The node's next poll of the run after the client has gone, answered: the node still waits.
		await sim.until(() => sim.requests.some((q) => q.method === 'GET' && q.path.includes(runId) && q.at > gone.goneAt && q.status !== 0));
		const statusAtPollAfterAbandon = sim.runs().find((r) => r.runId === runId)?.status as string;
		const endedAt = Date.now();
		sim.endRun(runId);
		// The node's poll that sees the end.
		await sim.until(() => sim.requests.some((q) => q.method === 'GET' && q.path.includes(runId) && q.at > endedAt && q.status !== 0));
		const recorded = await executionOf(n8n, 'Archive Shop');

		return {
			tools: tools as RemoteAgentSaw['tools'],
			chain: { open, login, scrape, summary, close },
			huge,
			talent,
			wrongToken,
			abandoned: { clientSaw: gone.clientSaw, runId, runningExecutions, statusAtPollAfterAbandon, recorded },
			texts,
		};
	} finally {
		await mcp.close();
	}
}
