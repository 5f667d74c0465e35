/**
 * A scripted OpenAI-compatible chat model on 127.0.0.1 for the agent e2e suite: n8n's
 * OpenAI Chat Model node (credential `url` = `<server>/v1`) talks to it as to OpenAI.
 *
 * Each conversation names its script in the user's message (`[script-name] ...`); the script
 * is a list of steps, and step N answers the request that carries N tool results: a step
 * returns a tool call (by n8n node name) or the final answer. Every request is recorded,
 * so a test can check the tools the model was offered and the tool output it got back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool';
	content: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface OfferedTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
	script: string;
	model: string;
	stream: boolean;
	messages: ChatMessage[];
	tools: OfferedTool[];
}

/** What the model has seen so far in this conversation. */
export interface Turn {
	/** Contents of the `role: tool` messages, oldest first. */
	toolOutputs: string[];
	tools: OfferedTool[];
}

export type Step = (turn: Turn) => { call: string; args?: Record<string, unknown> } | { answer: string };
export type Script = Step[];

export interface ModelServer {
	/** The base URL for an `openAiApi` credential (`http://127.0.0.1:<port>/v1`). */
	url: string;
	requests: ChatRequest[];
	/** The requests of one script, oldest first. */
	conversation(script: string): ChatRequest[];
	stop(): Promise<void>;
}

/** n8n's tool name for a node name (nodeNameToToolName: anything but letters, digits, _ and - becomes _). */
export const toolName = (nodeName: string): string => nodeName.replace(/[^a-zA-Z0-9_-]/g, '_');

const text = (content: ChatMessage['content']): string =>
	typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');

function completion(model: string, message: Record<string, unknown>, finishReason: string): object {
	return {
		id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [{ index: 0, message, finish_reason: finishReason }],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The same answer as server-sent chunks, for a client that asked for `stream: true`. */
function streamChunks(model: string, message: Record<string, unknown>, finishReason: string): string {
	const base = { id: `chatcmpl-${Math.random().toString(36).slice(2)}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
	const calls = (message.tool_calls as Array<Record<string, unknown>> | undefined)?.map((call, index) => ({ index, ...call }));
	const chunks = [
		{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: message.content ?? null, ...(calls ? { tool_calls: calls } : {}) }, finish_reason: null }] },
		{ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }], usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } },
	];
	return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + 'data: [DONE]\n\n';
}

export async function startModelServer(scripts: Record<string, Script>): Promise<ModelServer> {
	const requests: ChatRequest[] = [];

	function reply(request: ChatRequest): { message: Record<string, unknown>; finishReason: string } {
		const script = scripts[request.script];
		if (!script) throw new Error(`no script "${request.script}"`);
		const toolOutputs = request.messages.filter((m) => m.role === 'tool').map((m) => text(m.content));
		const step = script[Math.min(toolOutputs.length, script.length - 1)];
		const next = step({ toolOutputs, tools: request.tools });
		if ('answer' in next) return { message: { role: 'assistant', content: next.answer }, finishReason: 'stop' };
		const name = toolName(next.call);
		if (!request.tools.some((tool) => tool.function.name === name)) {
			throw new Error(`script "${request.script}" calls "${name}", but the model was offered only ${request.tools.map((t) => t.function.name).join(', ')}`);
		}
		const call = { id: `call_${requests.length}_${toolOutputs.length}`, type: 'function', function: { name, arguments: JSON.stringify(next.args ?? {}) } };
		return { message: { role: 'assistant', content: null, tool_calls: [call] }, finishReason: 'tool_calls' };
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const send = (status: number, body: object) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(body));
			};
			try {
				if (req.method === 'GET' && req.url?.endsWith('/models')) {
					send(200, { object: 'list', data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'witrium-e2e' }] });
					return;
				}
				if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
					send(404, { error: { message: `no route ${req.method} ${req.url}` } });
					return;
				}
				const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean; messages: ChatMessage[]; tools?: OfferedTool[] };
				const user = body.messages.find((m) => m.role === 'user');
				const request: ChatRequest = {
					script: /\[([\w-]+)\]/.exec(text(user?.content ?? ''))?.[1] ?? '',
					model: body.model,
					stream: body.stream === true,
					messages: body.messages,
					tools: body.tools ?? [],
				};
				requests.push(request);
				const { message, finishReason } = reply(request);
				if (request.stream) {
					res.writeHead(200, { 'content-type': 'text/event-stream' });
					res.end(streamChunks(body.model, message, finishReason));
				} else {
					send(200, completion(body.model, message, finishReason));
				}
			} catch (error) {
				send(400, { error: { message: error instanceof Error ? error.message : String(error), type: 'invalid_request_error' } });
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		conversation: (script) => requests.filter((r) => r.script === script),
		stop: () => new Promise((resolve) => server.close(() => resolve())),
	};
}
