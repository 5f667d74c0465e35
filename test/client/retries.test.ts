/**
 * Retries, timeouts, redirects and aborts: reads survive transient trouble; requests that
 * start work are never sent twice unless they provably never arrived or were refused (429).
 */
import { lookup as dnsLookup } from 'node:dns';

import { WitriumApiError, WitriumClient } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { LookupFunction } from '../../src/client/egress';
import type { WitriumSimulator } from '../../simulator/index';
import { EDITION } from './edition';
import { TOKEN, assertNoTokenLeak, delay, failure, freePort, makeClient, recordingServer, startSimulator } from './helpers';

let sim: WitriumSimulator;
let baseUrl: string;
let client: WitriumClient;

beforeAll(async () => {
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl);
});
beforeEach(() => {
	sim.reset();
	sim.define({
		workflows: [{ id: 'wf-1', steps: [{ instruction: 'Go', durationMs: 50 }], startDelayMs: 20 }],
		talents: [{ id: 't-1', durationMs: 50 }],
	});
});
afterAll(async () => {
	assertNoTokenLeak();
	await sim.stop();
	await closeAllDispatchers();
});

const count = (endpoint: string) => sim.requests.filter((r) => r.endpoint === endpoint).length;

describe('reads, closes and cancels retry', () => {
	test('GET survives a burst of 503s', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 503, times: 3 });
		const list = await client.listSessions();
		expect(list.sessions).toEqual([]);
		expect(count('listSessions')).toBe(4);
	});

	test('GET waits at least what a 429 Retry-After says', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 429, retryAfter: '1' });
		const started = Date.now();
		await client.listSessions();
		const [first, second] = sim.requests.filter((r) => r.endpoint === 'listSessions');
		expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
	});

	test('a Retry-After longer than one retry may wait fails at once, saying when to retry', async () => {
		const patient = makeClient(baseUrl, { retryMaxDelayMs: 5000 });
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 429, retryAfter: '120', times: 10 });
		const started = Date.now();
		const err = await failure<WitriumApiError>(patient.listSessions());
		expect(Date.now() - started).toBeLessThan(1000);
		expect(count('listSessions')).toBe(1);
		expect(err).toMatchObject({ kind: 'http', status: 429, retryable: true });
		const retryAt = /Witrium asked to retry after 120 s \(at (\S+)\)$/.exec(err.message)?.[1];
		expect(Math.abs(Date.parse(retryAt ?? '') - (started + 120_000))).toBeLessThan(2000);
	});

	test('a Retry-After past the deadline fails at once too, saying when to retry', async () => {
		const { runId } = await client.runWorkflow('wf-1');
		sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 503, retryAfter: '2', times: 10 });
		const started = Date.now();
		const err = await failure<Error>(client.waitForRun(runId, { timeoutMs: 1000 }));
		expect(Date.now() - started).toBeLessThan(1500);
		expect(err.message).toContain('Witrium asked to retry after 2 s');
	});

	test('a wait polls again no sooner than a Retry-After longer than a retry may wait', async () => {
		const patient = makeClient(baseUrl, { retryMaxDelayMs: 500 });
		const { runId } = await patient.runWorkflow('wf-1');
		sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 429, retryAfter: '2' });
		const run = await patient.waitForRun(runId, { timeoutMs: 10_000 });
		expect(run.status).toBe('C');
		const [refused, next] = sim.requests.filter((r) => r.endpoint === 'getResults');
		expect(refused.status).toBe(429);
		expect(next.at - refused.at).toBeGreaterThanOrEqual(1990);
	});

	test('Retry-After as an HTTP date is honoured too', async () => {
		const at = new Date(Date.now() + 1500).toUTCString(); // whole seconds: 0.5-1.5 s from now
		sim.injectFault({ endpoint: 'getSession', kind: 'status', status: 503, retryAfter: at });
		const session = await client.createSession();
		await client.getSession(session.uuid);
		const [first, second] = sim.requests.filter((r) => r.endpoint === 'getSession');
		expect(second.at).toBeGreaterThanOrEqual(Date.parse(at) - 5);
		expect(second.at - first.at).toBeGreaterThan(400);
	});

	test('GET gives up after maxRetries with a retryable error', async () => {
		const few = makeClient(baseUrl, { maxRetries: 2 });
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 503, detail: 'Down for maintenance', times: 10 });
		const err = await failure<WitriumApiError>(few.listSessions());
		expect(count('listSessions')).toBe(3);
		expect(err).toMatchObject({ kind: 'http', status: 503, retryable: true, detail: 'Down for maintenance' });
		expect(err.message).toBe('Witrium API error 503 on GET /v1/browser-sessions: Down for maintenance (after 3 attempts)');
	});

	test('501 and 4xx are not retried', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 501 });
		await failure(client.listSessions());
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 400, detail: 'no' });
		await failure(client.listSessions());
		expect(count('listSessions')).toBe(2);
	});

	test('GET retries a connection reset', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'reset', when: 'beforeRead', times: 2 });
		await client.listSessions();
		expect(sim.requests.filter((r) => r.endpoint === 'listSessions' && r.status === 200)).toHaveLength(1);
	});

	test('cancel and close retry 5xx and resets', async () => {
		const session = await client.createSession();
		sim.injectFault({ endpoint: 'closeSession', kind: 'reset', when: 'afterHandle' });
		const closed = await client.closeSession(session.uuid, { force: true });
		expect(closed.status).toEqual(expect.any(String));

		sim.define({ workflows: [{ id: 'wf-long', steps: [{ instruction: 'Wait', durationMs: 5000 }], startDelayMs: 20 }] });
		const { runId } = await client.runWorkflow('wf-long');
		sim.injectFault({ endpoint: 'cancelRun', kind: 'status', status: 502, times: 2 });
		const cancelled = await client.cancelRun(runId);
		expect(cancelled.status).toBe('X');
		expect(count('cancelRun')).toBe(3);
	});
});

describe('requests that start work are never duplicated', () => {
	test('run answered 500 after it was handled: sent once, error says it may have started', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 500, process: true, detail: 'oops' });
		const err = await failure<WitriumApiError>(client.runWorkflow('wf-1', { args: { a: 1 } }));
		expect(count('runWorkflow')).toBe(1);
		expect(sim.runCount('wf-1')).toBe(1);
		expect(err).toMatchObject({ kind: 'http', status: 500, mayHaveStarted: true, retryable: false });
		expect(err.message).toBe(
			'POST /v1/workflows/wf-1/run failed after the request was sent (500 Internal Server Error: oops); ' +
				'the run may have started — check before submitting it again',
		);
	});

	test('run whose connection is reset after it was handled: sent once, may have started', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'reset', when: 'afterHandle' });
		const err = await failure<WitriumApiError>(client.runWorkflow('wf-1'));
		expect(count('runWorkflow')).toBe(1);
		expect(sim.runCount('wf-1')).toBe(1);
		expect(err).toMatchObject({ kind: 'network', mayHaveStarted: true, retryable: false });
		expect(err.message).toMatch(/^POST \/v1\/workflows\/wf-1\/run failed after the request was sent \(.+\); the run may have started/);
	});

	test('a 503 is not retried either (the service may have started the run before failing)', async () => {
		sim.injectFault({ endpoint: 'createSession', kind: 'status', status: 503 });
		const err = await failure<WitriumApiError>(client.createSession());
		expect(count('createSession')).toBe(1);
		expect(err.mayHaveStarted).toBe(true);
		expect(err.message).toContain('the browser session may have been created');
	});

	test('a malformed 2xx is not retried and may have started', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'malformed' });
		const err = await failure<WitriumApiError>(client.runWorkflow('wf-1'));
		expect(count('runWorkflow')).toBe(1);
		expect(err).toMatchObject({ kind: 'invalid-response', mayHaveStarted: true });
	});

	test('a talent timing out is not retried and may have started', async () => {
		sim.injectFault({ endpoint: 'runTalent', kind: 'delay', delayMs: 1500 });
		const started = Date.now();
		const err = await failure<WitriumApiError>(client.runTalent('t-1', {}, { timeoutMs: 300 }));
		expect(Date.now() - started).toBeLessThan(1000);
		expect(count('runTalent')).toBe(1);
		expect(err).toMatchObject({ kind: 'timeout', mayHaveStarted: true });
		expect(err.message).toContain('the talent may have started running');
	});

	test('a 429 is retried: the service refused it', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 429, retryAfter: '0' });
		const submitted = await client.runWorkflow('wf-1');
		expect(submitted.runId).toEqual(expect.any(String));
		expect(count('runWorkflow')).toBe(2);
		expect(sim.runCount('wf-1')).toBe(1);
	});

	test('a definite refusal (4xx) says nothing started', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 404, detail: 'Workflow not found' });
		const err = await failure<WitriumApiError>(client.runWorkflow('wf-1'));
		expect(err).toMatchObject({ status: 404, mayHaveStarted: false });
		expect(err.message).toBe('Witrium API error 404 on POST /v1/workflows/wf-1/run: Workflow not found');
	});

	test('a refused connection is retried until the service is up', async () => {
		const port = await freePort();
		const patient = makeClient(`http://127.0.0.1:${port}`, { maxRetries: 12, retryBaseDelayMs: 50, retryMaxDelayMs: 200 });
		let server: Awaited<ReturnType<typeof recordingServer>> | undefined;
		const starting = delay(300).then(async () => {
			server = await recordingServer((_req, res) => {
				res.setHeader('content-type', 'application/json');
				res.end(JSON.stringify({ workflow_id: 'wf-1', run_id: 'run-1', status: 'P' }));
			}, port);
		});
		try {
			const started = Date.now();
			const submitted = await patient.runWorkflow('wf-1', { args: { a: 'b' } });
			expect(Date.now() - started).toBeGreaterThanOrEqual(250);
			expect(submitted).toEqual({ workflowId: 'wf-1', runId: 'run-1', status: 'P' });
			await starting;
			expect(server!.requests).toHaveLength(1);
			expect(server!.requests[0].body).toBe('{"args":{"a":"b"}}');
		} finally {
			await starting;
			await server?.close();
		}
	});

	// The failing lookup is injected through the self-hosted transport's egress hook.
	(EDITION === 'self-hosted' ? test : test.skip)('a failed DNS lookup is retried: the request never left', async () => {
		let failedLookups = 0;
		const lookup = ((hostname: string, options: object, callback: (error: Error | null, ...rest: unknown[]) => void) => {
			if (failedLookups < 2) {
				failedLookups++;
				callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
			} else dnsLookup(hostname, options, callback);
		}) as unknown as LookupFunction;
		const c = makeClient(baseUrl.replace('127.0.0.1', 'localhost'), { retryBaseDelayMs: 10, egress: { validateUrl: async () => undefined, lookup } });
		const submitted = await c.runWorkflow('wf-1');
		expect(failedLookups).toBe(2);
		expect(sim.runs().map((run) => run.runId)).toEqual([submitted.runId]);
	});

	test('when nothing ever listens, the error says nothing started', async () => {
		const port = await freePort();
		const c = makeClient(`http://127.0.0.1:${port}`, { maxRetries: 2, retryBaseDelayMs: 10 });
		const err = await failure<WitriumApiError>(c.runWorkflow('wf-1'));
		expect(err).toMatchObject({ kind: 'network', mayHaveStarted: false, retryable: true });
		expect(err.message).toBe(
			`Could not reach the Witrium API (http://127.0.0.1:${port}) for POST /v1/workflows/wf-1/run: connection refused (after 3 attempts)`,
		);
	});
});

describe('redirects, timeouts, aborts', () => {
	test('a redirect is not followed and the token goes nowhere else', async () => {
		const other = await recordingServer();
		try {
			sim.injectFault({ endpoint: 'runWorkflow', kind: 'redirect', location: `${other.url}/v1/workflows/wf-1/run` });
			const err = await failure<WitriumApiError>(client.runWorkflow('wf-1'));
			sim.injectFault({ endpoint: 'listSessions', kind: 'redirect', location: `${other.url}/steal` });
			const err2 = await failure<WitriumApiError>(client.listSessions());
			await delay(100);
			expect(other.requests).toHaveLength(0);
			for (const e of [err, err2]) {
				expect(e).toMatchObject({ kind: 'redirect', status: 307, retryable: false });
				expect(e.message).toContain(`redirecting to 127.0.0.1:${other.port}`);
				expect(e.message).not.toContain('/steal');
			}
			expect(err.mayHaveStarted).toBe(false);
			expect(count('listSessions')).toBe(1);
		} finally {
			await other.close();
		}
	});

	test('a slow answer times out (kind timeout), and a GET is retried within its budget', async () => {
		const quick = makeClient(baseUrl, { requestTimeoutMs: 200, maxRetries: 0 });
		sim.injectFault({ endpoint: 'listSessions', kind: 'delay', delayMs: 1000 });
		const started = Date.now();
		const err = await failure<WitriumApiError>(quick.listSessions());
		const took = Date.now() - started;
		expect(took).toBeGreaterThanOrEqual(190);
		expect(took).toBeLessThan(600);
		expect(err).toMatchObject({ kind: 'timeout', retryable: true, endpoint: 'GET /v1/browser-sessions' });
		expect(err.message).toBe('Witrium API request GET /v1/browser-sessions timed out: no complete response within 200 ms');

		sim.injectFault({ endpoint: 'listSessions', kind: 'delay', delayMs: 1000 });
		const retrying = makeClient(baseUrl, { requestTimeoutMs: 200, maxRetries: 1 });
		await retrying.listSessions({ timeoutMs: 300 });
	});

	test('the timeout covers the body, not just the headers', async () => {
		const stalling = await recordingServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.write('{"sessions": [');
			// never ends
		});
		try {
			const c = makeClient(stalling.url, { requestTimeoutMs: 250, maxRetries: 0 });
			const started = Date.now();
			const err = await failure<WitriumApiError>(c.listSessions());
			expect(err.kind).toBe('timeout');
			expect(Date.now() - started).toBeLessThan(800);
		} finally {
			await stalling.close();
		}
	});

	test('an abort stops an in-flight request at once', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'delay', delayMs: 2000 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const started = Date.now();
		const err = await failure<WitriumApiError>(client.listSessions({ signal: controller.signal }));
		expect(Date.now() - started).toBeLessThan(200);
		expect(err).toMatchObject({ kind: 'aborted', retryable: false });
		expect(err.message).toBe('Witrium API request GET /v1/browser-sessions was aborted');
	});

	test('an abort stops a backoff sleep at once', async () => {
		const slow = makeClient(baseUrl, { retryMaxDelayMs: 20_000 });
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 503, retryAfter: '10' });
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 200);
		const err = await failure<WitriumApiError>(slow.listSessions({ signal: controller.signal }));
		expect(Date.now() - started).toBeLessThan(400);
		expect(err.kind).toBe('aborted');
		expect(count('listSessions')).toBe(1);
	});

	test('an aborted run submission says the run may have started', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'delay', delayMs: 1000 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const err = await failure<WitriumApiError>(client.runWorkflow('wf-1', {}, { signal: controller.signal }));
		expect(err).toMatchObject({ kind: 'aborted', mayHaveStarted: true });
		expect(err.message).toContain('the run may have started');
	});
});

describe('connection pooling', () => {
	// The undici pool is the self-hosted transport's; the verified one has n8n's HTTP stack connect.
	(EDITION === 'self-hosted' ? test : test.skip)('client instances share one kept-alive connection per base URL', async () => {
		const server = await recordingServer();
		try {
			for (let i = 0; i < 6; i++) {
				const c = makeClient(server.url);
				await c.listSessions();
			}
			expect(server.requests).toHaveLength(6);
			// Sequential requests reuse pooled sockets (undici may open a second one while the first
			// is finishing its response), rather than one new connection per request or client.
			expect(new Set(server.requests.map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
			expect(server.requests.every((r) => r.headers['x-witrium-key'] === TOKEN)).toBe(true);
		} finally {
			await server.close();
		}
	});
});
