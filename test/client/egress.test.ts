/** The client's egress hook (how n8n's SSRF protection reaches it): checked before sending, and at connect time. */
import { lookup as dnsLookup } from 'node:dns';

import { WitriumApiError } from '../../src/client';
import type { LookupFunction } from '../../src/client/egress';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { failure, makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let port: string;

beforeAll(async () => {
	let baseUrl: string;
	({ sim, baseUrl } = await startSimulator());
	port = new URL(baseUrl).port;
});
afterEach(() => sim.reset());
afterAll(async () => {
	await sim.stop();
	await closeAllDispatchers();
});

const refused = Object.assign(new Error('The request was blocked because it resolves to a restricted IP address'), { description: 'SSRF' });

test('a URL the rules refuse fails with their error, sends nothing, and is not retried', async () => {
	let checks = 0;
	const client = makeClient(`http://127.0.0.1:${port}`, {
		egress: {
			validateUrl: async () => {
				checks++;
				throw refused;
			},
		},
	});
	const err = await failure<WitriumApiError>(client.runWorkflow('anything'));
	expect(err).toBeInstanceOf(WitriumApiError);
	expect(err.kind).toBe('blocked');
	expect(err.message).toBe(`${refused.message} (Witrium API, http://127.0.0.1:${port}, POST /v1/workflows/anything/run: nothing was sent)`);
	expect(err.cause).toBe(refused);
	expect(err.retryable).toBe(false);
	expect(err.mayHaveStarted).toBe(false);
	expect(checks).toBe(1);
	expect(sim.requests).toHaveLength(0);
});

test('a name the connect-time lookup refuses sends nothing, though the URL check passed', async () => {
	const lookup = ((_hostname: string, _options: unknown, callback: (error: Error) => void) => callback(refused)) as unknown as LookupFunction;
	const client = makeClient(`http://localhost:${port}`, { egress: { validateUrl: async () => undefined, lookup } });
	const err = await failure<WitriumApiError>(client.listSessions());
	expect(err.kind).toBe('blocked');
	expect(err.message).toContain(refused.message);
	expect(sim.requests).toHaveLength(0);
});

test('a URL and lookup the rules allow work as usual, the URL checked once per client', async () => {
	let checks = 0;
	const client = makeClient(`http://localhost:${port}`, {
		egress: {
			validateUrl: async () => {
				checks++;
			},
			lookup: dnsLookup as unknown as LookupFunction,
		},
	});
	await client.listSessions();
	await client.listSessions();
	expect(checks).toBe(1);
	expect(sim.requests).toHaveLength(2);
});
