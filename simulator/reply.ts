/** What a handler answers, before any fault reshapes it; and the low-level HTTP helpers. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** A JSON body... */
	json?: unknown;
	/** ...or a raw one (content-type taken from headers). */
	text?: string;
	/** Set when the request was malformed (a 422), for the request log. */
	invalid?: string;
	/** Tolerated protocol deviations, for the request log. */
	notes?: string[];
}

export const jsonReply = (status: number, json: unknown, extra: Partial<Reply> = {}): Reply => ({
	status,
	json,
	...extra,
});

export const detailReply = (status: number, detail: unknown): Reply => jsonReply(status, { detail });

/** The exact bytes a reply puts on the wire. */
export function replyBody(reply: Reply): string {
	if (reply.text !== undefined) return reply.text;
	return reply.json === undefined ? '' : JSON.stringify(reply.json);
}

export function writeReply(res: ServerResponse, reply: Reply, body = replyBody(reply)): void {
	if (res.destroyed || res.headersSent) return;
	const headers: Record<string, string | number> = {
		server: 'witrium-simulator',
		...(reply.json !== undefined && reply.text === undefined ? { 'content-type': 'application/json' } : {}),
		...reply.headers,
		'content-length': Buffer.byteLength(body),
	};
	res.writeHead(reply.status, headers);
	res.end(body);
}

const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** The whole request body as text (files arrive base64 inside JSON, so UTF-8 is right). */
export function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new Error('Request body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** Header values as sent, names lower-case (node already lower-cases them). */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return flat;
}

/** What the request log shows for a body: parsed JSON, else the raw text, else undefined. */
export function bodyForLog(rawBody: string): unknown {
	if (rawBody.length === 0) return undefined;
	try {
		return JSON.parse(rawBody);
	} catch {
		return rawBody;
	}
}
