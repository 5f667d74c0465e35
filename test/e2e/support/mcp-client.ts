/**
 * A remote agent's side of n8n's MCP Server Trigger: the official MCP SDK's client over its
 * streamable HTTP transport, as agents built on it (and mcp-remote, Claude Desktop's bridge to a URL) use it.
 *
 *   const mcp = await connectMcp(`${n8n.editor.baseUrl}/mcp/witrium`, token);
 *   const { tools } = await mcp.client.listTools();
 *   const answer = await callTool(mcp, 'Open_Browser', {});   // the tool's text, parsed as JSON
 *   await mcp.close();
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export interface McpConnection {
	client: Client;
	transport: StreamableHTTPClientTransport;
	close(): Promise<void>;
}

/** Connects (initialize) to an MCP server URL with `Authorization: Bearer <token>`. */
export async function connectMcp(url: string, token: string): Promise<McpConnection> {
	const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
	const client = new Client({ name: 'witrium-e2e-remote-agent', version: '1.0.0' });
	await client.connect(transport);
	return { client, transport, close: () => client.close() };
}

/**
 * Waits until n8n serves the production MCP URL: n8n answers before it has activated the
 * workflows (2.x activates them in the background), and until then says the webhook "is not
 * registered". Nothing ran then, so the initialize is sent again.
 */
export async function untilServing(url: string, token: string, timeoutMs = 60_000): Promise<void> {
	for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 500))) {
		try {
			await (await connectMcp(url, token)).close();
			return;
		} catch (error) {
			if (!/not registered/.test(String(error)) || Date.now() - t0 > timeoutMs) throw error;
		}
	}
}

/** The text a tool call answered with, and whether the server flagged it as an error. */
export interface ToolAnswer {
	text: string;
	isError: boolean;
	/** `text` parsed as JSON (what the Witrium tools answer), or undefined when it is not JSON. */
	json: unknown;
}

export async function callTool(mcp: McpConnection, name: string, args: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<ToolAnswer> {
	// The SDK's default request timeout is 60 s; the suite's calls end sooner or are abandoned on purpose.
	const result = await mcp.client.callTool({ name, arguments: args }, undefined, { signal: options.signal });
	const content = result.content as Array<{ type: string; text?: string }>;
	const text = content.filter((c) => c.type === 'text').map((c) => c.text).join('');
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { text, isError: result.isError === true, json };
}
