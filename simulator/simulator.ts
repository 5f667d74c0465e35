/**
 * WitriumSimulator: a real HTTP server speaking the Witrium API (see witrium-api.md), with a
 * control surface for tests: definitions, injected faults, and a log of everything received.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { handleApiRequest } from './api';
import { CONTROL_PREFIX, handleControlRequest, type ControlTarget } from './control';
import { SimEngine } from './engine';
import { FaultBook, faultReply } from './faults';
import { bodyForLog, detailReply, flattenHeaders, readBody, replyBody, writeReply, type Reply } from './reply';
import { matchRoute, type RouteMatch } from './routes';
import { TimerRegistry } from './timers';
import type { Definitions, Fault, RequestLogEntry, SavedState, SimRun, SimSession, TimestampStyle } from './types';

export interface SimulatorOptions {
	/** The API key clients must send in X-Witrium-Key (default: random "sim_" + hex). */
	token?: string;
}

export class WitriumSimulator implements ControlTarget {
	readonly token: string;
	private readonly timers = new TimerRegistry(() => this.changed());
	private readonly waiters = new Set<() => void>();
	private readonly engine = new SimEngine(this.timers);
	private readonly faults = new FaultBook();
	private log: RequestLogEntry[] = [];
	private server: Server | null = null;
	private baseUrl: string | null = null;
	private timestampStyle: TimestampStyle = 'utc';

	constructor(options: SimulatorOptions = {}) {
		this.token = options.token ?? `sim_${randomBytes(16).toString('hex')}`;
	}

	/** The base URL, e.g. http://127.0.0.1:41234 (only once started). */
	get url(): string {
		if (this.baseUrl === null) throw new Error('The simulator is not started');
		return this.baseUrl;
	}

	/** Listens on `port` (0: a free one) and resolves the base URL. */
	async start(port = 0, host = '127.0.0.1'): Promise<string> {
		if (this.server) throw new Error('The simulator is already started');
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				// A bug in the simulator: answer like a crashed service rather than hang the client.
				console.error('witrium simulator: internal error', error);
				writeReply(res, detailReply(500, 'Internal Server Error'));
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		const address = server.address() as AddressInfo;
		const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
		this.baseUrl = `http://${hostInUrl}:${address.port}`;
		return this.baseUrl;
	}

	/** Closes the server and every connection, and clears every timer. */
	async stop(): Promise<void> {
		this.timers.clearAll();
		const server = this.server;
		if (!server) return;
		this.server = null;
		this.baseUrl = null;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
	}

	define(defs: Definitions): void {
		this.engine.define(defs);
	}

	injectFault(fault: Fault): void {
		this.faults.inject(fault);
	}

	clearFaults(): void {
		this.faults.clear();
	}

	/**
	 * `naive` answers timestamps without a zone offset (`2026-01-05T10:00:00.000`, meaning UTC),
	 * as some Python services serialise them; `postgres` as `2026-01-05 10:00:00.000+00`;
	 * `utc` (the default) ends them in `Z`.
	 */
	setTimestampStyle(style: TimestampStyle): void {
		if (style !== 'utc' && style !== 'naive' && style !== 'postgres')
			throw new TypeError(`Unknown timestamp style ${JSON.stringify(style)}`);
		this.timestampStyle = style;
	}

	/**
	 * Ends a run now: completed with its definition's result, or failed with `{fail: message}`.
	 * A test gives runs a long step and ends them when it chooses, instead of timing them.
	 */
	endRun(runId: string, options: { fail?: string } = {}): void {
		this.engine.endRun(runId, options.fail);
		this.changed();
	}

	/** Forgets runs, sessions, states, faults and the request log; keeps definitions and token. */
	reset(): void {
		this.engine.reset();
		this.faults.clear();
		this.timestampStyle = 'utc';
		// Timers of delayed answers are kept: those clients still get their (late) response.
		this.log = [];
	}

	/** Every /v1 (or unknown) request received, oldest first; control requests are not logged. */
	get requests(): RequestLogEntry[] {
		return this.log;
	}

	runs(): SimRun[] {
		return this.engine.runs();
	}

	/** Runs submitted for a workflow or talent id. */
	runCount(definitionId: string): number {
		return this.engine.runCounts()[definitionId] ?? 0;
	}

	runCounts(): Record<string, number> {
		return this.engine.runCounts();
	}

	/** Every session ever created, closed ones included. */
	sessions(): SimSession[] {
		return this.engine.sessions();
	}

	/** Saved browser states. */
	states(): SavedState[] {
		return this.engine.states();
	}

	/**
	 * Resolves once `condition()` holds: checked now, on every request received and answered, and
	 * after every timed change (a run starting, a step ending). For tests that wait on an event
	 * rather than sleep.
	 */
	until(condition: () => boolean): Promise<void> {
		return new Promise((resolve) => {
			const check = () => {
				if (!condition()) return;
				this.waiters.delete(check);
				resolve();
			};
			this.waiters.add(check);
			check();
		});
	}

	private changed(): void {
		for (const check of [...this.waiters]) check();
	}

	/** The most runs that were R at the same time, overall or within one session. */
	maxConcurrentRuns(filter?: { sessionId?: string }): number {
		return this.engine.maxConcurrentRuns(filter);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const method = req.method ?? 'GET';
		const url = new URL(req.url ?? '/', 'http://simulator.invalid');
		if (url.pathname.startsWith(CONTROL_PREFIX)) {
			writeReply(res, handleControlRequest(this, method, url.pathname, await readBody(req)));
			return;
		}

		const route = matchRoute(method, url.pathname);
		const entry: RequestLogEntry = {
			at: Date.now(),
			method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			endpoint: route.kind === 'endpoint' ? route.endpoint : null,
			headers: flattenHeaders(req.headers),
			body: undefined,
			status: 0,
		};
		this.log.push(entry);
		this.changed();
		const fault = route.kind === 'endpoint' ? this.faults.take(route.endpoint) : undefined;
		if (fault) entry.fault = fault.kind;

		if (fault?.kind === 'reset' && (fault.when ?? 'beforeRead') === 'beforeRead') {
			cutConnection(req.socket);
			return;
		}
		const rawBody = await readBody(req);
		entry.body = bodyForLog(rawBody);
		const send = (reply: Reply, body?: string) => {
			entry.status = reply.status;
			writeReply(res, reply, body);
			this.changed();
		};

		// These two never reach the app: no effect happens.
		if (fault?.kind === 'redirect') {
			send({ status: 307, headers: { location: fault.location ?? '/' }, text: '' });
			return;
		}
		if (fault?.kind === 'status' && !fault.process) {
			send(faultReply(fault));
			return;
		}

		const answered = await this.answer(route, url, entry.headers, rawBody);
		const reply =
			this.timestampStyle !== 'utc' && answered.json !== undefined
				? { ...answered, json: restamped(answered.json, this.timestampStyle) }
				: answered;
		if (reply.invalid !== undefined) entry.invalid = reply.invalid;
		if (reply.notes !== undefined) entry.notes = reply.notes;

		switch (fault?.kind) {
			case 'status':
				send(faultReply(fault));
				return;
			case 'reset':
				cutConnection(req.socket);
				this.changed();
				return;
			case 'delay':
				this.timers.after(fault.delayMs ?? 0, () => send(reply));
				this.changed(); // the effect has happened; the answer comes later
				return;
			case 'malformed':
				send({ ...reply, status: 200, headers: { 'content-type': 'application/json' } }, truncated(replyBody(reply)));
				return;
			default:
				send(reply);
		}
	}

	private answer(route: RouteMatch, url: URL, headers: Record<string, string>, rawBody: string): Promise<Reply> | Reply {
		switch (route.kind) {
			case 'notFound':
				return detailReply(404, 'Not Found');
			case 'methodNotAllowed':
				return { ...detailReply(405, 'Method Not Allowed'), headers: { allow: route.allow.join(', ') } };
			case 'endpoint':
				return handleApiRequest(this.engine, this.token, {
					endpoint: route.endpoint,
					id: route.id,
					query: Object.fromEntries(url.searchParams),
					headers,
					rawBody,
				});
		}
	}
}

/** A TCP reset (not a clean FIN), as a crashing proxy or a dropped connection looks to a client. */
function cutConnection(socket: Socket): void {
	socket.resetAndDestroy();
}

const UTC_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The same JSON with every UTC timestamp written in `style`. */
function restamped(value: unknown, style: TimestampStyle): unknown {
	if (typeof value === 'string') {
		if (!UTC_TIMESTAMP.test(value)) return value;
		return style === 'naive' ? value.slice(0, -1) : `${value.slice(0, -1).replace('T', ' ')}+00`;
	}
	if (Array.isArray(value)) return value.map((item) => restamped(item, style));
	if (typeof value === 'object' && value !== null)
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, restamped(item, style)]));
	return value;
}

/** Half of a JSON object's text is never valid JSON: the closing brace is gone. */
function truncated(json: string): string {
	return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}
