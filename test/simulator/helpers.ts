/** Shared helpers for the simulator's own tests: a started simulator and a tiny fetch wrapper. */
import { WitriumSimulator, type Definitions } from '../../simulator/index';

export const TOKEN = 'sim_test_token';

export interface CallOptions {
	/** Send this token instead of the simulator's; null sends no key header. */
	token?: string | null;
	/** A raw body sent as is (no JSON encoding); `body` is JSON-encoded otherwise. */
	rawBody?: string;
	headers?: Record<string, string>;
	redirect?: 'follow' | 'manual' | 'error';
}

export interface CallResult {
	status: number;
	headers: Headers;
	text: string;
	/** The parsed body, or undefined when it is not JSON. */
	json: any;
	/** How long the call took, in ms. */
	elapsedMs: number;
}

/** An HTTP caller bound to one simulator. */
export type Caller = (method: string, path: string, body?: unknown, options?: CallOptions) => Promise<CallResult>;

export async function startSimulator(defs: Definitions = {}): Promise<{ sim: WitriumSimulator; call: Caller }> {
	const sim = new WitriumSimulator({ token: TOKEN });
	sim.define(defs);
	await sim.start();
	return { sim, call: callerFor(sim) };
}

export function callerFor(sim: WitriumSimulator): Caller {
	return async (method, path, body, options = {}) => {
		const headers: Record<string, string> = { ...options.headers };
		const token = options.token === undefined ? sim.token : options.token;
		if (token !== null) headers['X-Witrium-Key'] = token;
		let payload: string | undefined = options.rawBody;
		if (payload === undefined && body !== undefined) {
			payload = JSON.stringify(body);
			headers['Content-Type'] ??= 'application/json';
		}
		const started = Date.now();
		const response = await fetch(sim.url + path, { method, headers, body: payload, redirect: options.redirect });
		const text = await response.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, headers: response.headers, text, json, elapsedMs: Date.now() - started };
	};
}

/**
 * Polls `probe` every few ms until `accept` says yes. No deadline of its own: how long a run
 * takes on a loaded machine is not what these tests check (jest's test timeout bounds a hang).
 */
export async function waitFor<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean): Promise<T> {
	for (;;) {
		const value = await probe();
		if (accept(value)) return value;
		await sleep(5);
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until a run (via the API) reaches one of `statuses`, returning its results body. */
export async function waitForStatus(call: Caller, runId: string, statuses: string[]) {
	const result = await waitFor(
		() => call('GET', `/v1/runs/${runId}/results`),
		(res) => statuses.includes(res.json?.status),
	);
	return result.json;
}

export const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
