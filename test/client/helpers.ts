/** Shared test helpers: the simulator, free ports (scripts/ports.mjs), a recording server, and a token-leak check. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WitriumSimulator } from '../../simulator/index';
import { WitriumClient, type ClientOptions } from '../../src/client';
import type { EgressGuard } from '../../src/client/egress';
import { testTransport } from './edition';

/** Distinctive, so any leak is easy to spot (also checked URL-encoded). */
export const TOKEN = 'wit_test_S3cr3t+Token/Value-9f8e7d';

export async function startSimulator(): Promise<{ sim: WitriumSimulator; baseUrl: string }> {
	const sim = new WitriumSimulator({ token: TOKEN });
	const baseUrl = await sim.start();
	return { sim, baseUrl };
}

/** A client on the edition's transport under test (./edition), with short backoffs. */
export function makeClient(baseUrl: string, options: Partial<ClientOptions> & { egress?: EgressGuard } = {}): WitriumClient {
	const { egress, ...rest } = options;
	return new WitriumClient({
		apiToken: TOKEN,
		baseUrl,
		retryBaseDelayMs: 20,
		retryMaxDelayMs: 2000,
		transport: testTransport(options.apiToken ?? TOKEN, baseUrl, egress),
		...rest,
	});
}

/** Every error the suite saw; `assertNoTokenLeak` checks them all (run in afterAll). */
export const seenErrors: unknown[] = [];

/** Awaits a promise expected to reject and returns (and records) its error. */
export async function failure<T = Error>(promise: Promise<unknown>): Promise<T> {
	try {
		await promise;
	} catch (err) {
		seenErrors.push(err);
		return err as T;
	}
	throw new Error('expected the call to fail, but it succeeded');
}

function leakText(err: unknown): string {
	if (!(err instanceof Error)) return String(err);
	const props: Record<string, unknown> = {};
	for (const key of Object.getOwnPropertyNames(err)) props[key] = (err as unknown as Record<string, unknown>)[key];
	const extra = err as unknown as { details?: unknown; detail?: unknown; endpoint?: unknown };
	return [err.message, err.stack, JSON.stringify(props), JSON.stringify(extra.details ?? null), String(extra.detail), String(extra.endpoint)].join('\n');
}

export function assertNoTokenLeak(): void {
	expect(seenErrors.length).toBeGreaterThan(0);
	for (const err of seenErrors) {
		const text = leakText(err);
		expect(text).not.toContain(TOKEN);
		expect(text).not.toContain(encodeURIComponent(TOKEN));
	}
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ports = require('../../scripts/ports.mjs') as { reservePort(): Promise<{ port: number; release(): void }> };

/**
 * A port on 127.0.0.1 where nothing listens, reserved for this process until it exits
 * (scripts/ports.mjs): no server of ours in another test process starts on it meanwhile.
 */
export async function freePort(): Promise<number> {
	return (await ports.reservePort()).port;
}

export interface RecordedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
	/** The client's socket port: the same port means the same (kept-alive) connection. */
	remotePort: number | undefined;
}

/** A tiny server of the test's own: answers with `handler` (default 200 `{}`) and records every request. */
export async function recordingServer(
	handler?: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
	port = 0,
): Promise<{ url: string; port: number; requests: RecordedRequest[]; close: () => Promise<void> }> {
	const requests: RecordedRequest[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, remotePort: req.socket.remotePort });
			if (handler) handler(req, res, body);
			else {
				res.setHeader('content-type', 'application/json');
				res.end('{}');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	const actual = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${actual}`,
		port: actual,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
