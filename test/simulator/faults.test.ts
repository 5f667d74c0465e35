/** Injected faults: each kind, whether the request's effect happened, and how faults are used up. */
import type { WitriumSimulator } from '../../simulator/index';
import { startSimulator, type Caller } from './helpers';

let sim: WitriumSimulator;
let call: Caller;

beforeAll(async () => {
	({ sim, call } = await startSimulator({
		workflows: [{ id: 'wf', startDelayMs: 5, steps: [{ instruction: 'Click', durationMs: 10 }] }],
	}));
});
beforeEach(() => sim.reset());
afterAll(() => sim.stop());

const runWorkflow = () => call('POST', '/v1/workflows/wf/run', { args: { a: 1 } });

/** A fetch that fails at the network level rejects: this returns the rejection's cause code. */
async function networkFailure(request: Promise<unknown>): Promise<string> {
	const error = await request.then(
		() => {
			throw new Error('expected the connection to be cut');
		},
		(rejection: unknown) => rejection as { cause?: { code?: string } },
	);
	return error.cause?.code ?? 'unknown';
}

describe("kind 'status'", () => {
	test('answers 503 by default, and the request never reached the app', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'status' });
		const res = await runWorkflow();
		expect(res.status).toBe(503);
		expect(res.json).toEqual({ detail: 'Service Unavailable' });
		expect(sim.runCount('wf')).toBe(0);
		expect(sim.requests[0]).toMatchObject({ status: 503, fault: 'status', body: { args: { a: 1 } } });
	});

	test('carries Retry-After, a custom detail, and is used up after `times` calls', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 429, detail: 'Slow down', retryAfter: '1', times: 2 });
		for (let i = 0; i < 2; i++) {
			const res = await runWorkflow();
			expect(res.status).toBe(429);
			expect(res.headers.get('retry-after')).toBe('1');
			expect(res.json).toEqual({ detail: 'Slow down' });
		}
		expect((await runWorkflow()).status).toBe(200);
		expect(sim.runCount('wf')).toBe(1);
	});

	test('with process: true the effect happens even though the answer is an error', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 502, process: true });
		expect((await runWorkflow()).status).toBe(502);
		expect(sim.runCount('wf')).toBe(1);
	});

	test('can send a raw non-JSON body, like a proxy’s HTML page', async () => {
		const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 502, body: html });
		const res = await call('GET', '/v1/browser-sessions');
		expect(res.status).toBe(502);
		expect(res.text).toBe(html);
		expect(res.headers.get('content-type')).toMatch(/^text\/html/);
	});
});

describe("kind 'reset'", () => {
	test('before the request is read: the connection is cut and nothing happens', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'reset' });
		expect(await networkFailure(runWorkflow())).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
		expect(sim.runCount('wf')).toBe(0);
		expect(sim.requests[0]).toMatchObject({ fault: 'reset', status: 0 });
	});

	test('after handling: the run was submitted, but the client never hears so', async () => {
		sim.injectFault({ endpoint: 'runWorkflow', kind: 'reset', when: 'afterHandle' });
		expect(await networkFailure(runWorkflow())).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
		expect(sim.runCount('wf')).toBe(1);
		expect(sim.requests[0]).toMatchObject({ fault: 'reset', status: 0 });
	});
});

test("kind 'delay': the effect happens at once, the answer comes delayMs later", async () => {
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'delay', delayMs: 150 });
	const pending = runWorkflow();
	// The run exists well before the answer arrives.
	await sim.until(() => sim.runCount('wf') > 0);
	expect(sim.runCount('wf')).toBe(1);
	expect(sim.requests[0].status).toBe(0);
	const res = await pending;
	expect(res.status).toBe(200);
	expect(res.elapsedMs).toBeGreaterThanOrEqual(140);
	expect(res.json.run_id).toBe(sim.runs()[0].runId);
});

test("kind 'malformed': the effect happens and the 200 body is cut-off JSON", async () => {
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'malformed' });
	const res = await runWorkflow();
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toBe('application/json');
	expect(res.json).toBeUndefined();
	expect(res.text.startsWith('{"workflow_id":"wf"')).toBe(true);
	expect(sim.runCount('wf')).toBe(1);
});

test("kind 'redirect': a 307 elsewhere, and nothing happens", async () => {
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'redirect', location: 'http://elsewhere.invalid/v1/workflows/wf/run' });
	const res = await call('POST', '/v1/workflows/wf/run', {}, { redirect: 'manual' });
	expect(res.status).toBe(307);
	expect(res.headers.get('location')).toBe('http://elsewhere.invalid/v1/workflows/wf/run');
	expect(sim.runCount('wf')).toBe(0);
});

describe('matching', () => {
	test("a fault for one endpoint leaves others alone; '*' matches every endpoint", async () => {
		sim.injectFault({ endpoint: 'getSession', kind: 'status', status: 500 });
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(200);
		sim.clearFaults();
		sim.injectFault({ endpoint: '*', kind: 'status', status: 500, times: 2 });
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(500);
		expect((await runWorkflow()).status).toBe(500);
		expect((await runWorkflow()).status).toBe(200);
	});

	test('faults apply in the order injected', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 500 });
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 502 });
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(500);
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(502);
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(200);
	});

	test('a probabilistic fault hits about that share of calls until cleared', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 503, probability: 0.5 });
		const statuses = [];
		for (let i = 0; i < 100; i++) statuses.push((await call('GET', '/v1/browser-sessions')).status);
		const failures = statuses.filter((status) => status === 503).length;
		// Binomial(100, 0.5): outside 20..80 has a probability below 1e-9.
		expect(failures).toBeGreaterThan(20);
		expect(failures).toBeLessThan(80);

		sim.clearFaults();
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', probability: 1 });
		for (let i = 0; i < 5; i++) expect((await call('GET', '/v1/browser-sessions')).status).toBe(503);
		sim.clearFaults();
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(200);
	});

	test('reset() forgets faults', async () => {
		sim.injectFault({ endpoint: '*', kind: 'status', times: 5 });
		sim.reset();
		expect((await call('GET', '/v1/browser-sessions')).status).toBe(200);
	});

	test('a fault that cannot apply as meant is refused', () => {
		expect(() => sim.injectFault({ endpoint: 'nope' as never, kind: 'status' })).toThrow(/endpoint/);
		expect(() => sim.injectFault({ endpoint: '*', kind: 'redirect' })).toThrow(/location/);
		expect(() => sim.injectFault({ endpoint: '*', kind: 'status', probability: 2 })).toThrow(/probability/);
	});
});
