/**
 * How long the client waits: a Retry-After never costs a run that may have finished, a Retry-After
 * no timer can hold is not obeyed as a busy loop, and clean-up calls made while giving up are bounded.
 */
import { WitriumApiError, WitriumClient } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { testTransport } from './edition';
import { TOKEN, assertNoTokenLeak, failure, makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let baseUrl: string;
let client: WitriumClient;

beforeAll(async () => {
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl);
});
beforeEach(() => {
	sim.reset();
	sim.define({ workflows: [{ id: 'wf-1', steps: [{ instruction: 'Go', durationMs: 50 }], startDelayMs: 20 }] });
});
afterAll(async () => {
	assertNoTokenLeak();
	await sim.stop();
	await closeAllDispatchers();
});

const requests = (endpoint: string) => sim.requests.filter((r) => r.endpoint === endpoint);
const count = (endpoint: string) => requests(endpoint).length;

describe('Retry-After', () => {
	test('longer than the time left, it still gets one last poll before the deadline: a run that finished is returned', async () => {
		const { runId } = await client.runWorkflow('wf-1');
		sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 503, retryAfter: '30' });
		const run = await client.waitForRun(runId, { timeoutMs: 1500 });
		expect(run.status).toBe('C');
		expect(requests('getResults').map((r) => r.status)).toEqual([503, 200]);
	});

	test('beyond any timer (a Unix timestamp sent by mistake) it is ignored, not obeyed as a busy loop', async () => {
		const patient = makeClient(baseUrl, { maxRetries: 0 });
		const { runId } = await patient.runWorkflow('wf-1');
		sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 429, retryAfter: '1800000000', times: 3 });
		const run = await patient.waitForRun(runId);
		expect(run.status).toBe('C');
		const at = requests('getResults').map((r) => r.at);
		expect(at).toHaveLength(4);
		for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(200);
	});

	test('too large for a date it is ignored too: the request is retried as usual, no RangeError', async () => {
		sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 429, retryAfter: '99999999999999999999' });
		const list = await client.listSessions();
		expect(list.sessions).toEqual([]);
		expect(count('listSessions')).toBe(2);
	});

	test('a sleep longer than a timer can hold (24.8 days) does not end after 1 ms', async () => {
		const stop = new AbortController();
		const ended = testTransport(TOKEN, baseUrl).sleep(2 ** 31 + 1000, stop.signal).then(
			() => 'slept',
			() => 'stopped',
		);
		setTimeout(() => stop.abort(), 50);
		expect(await ended).toBe('stopped');
	});
});

describe('best-effort clean-up calls end within a few seconds in all', () => {
	test('a cancel the service asks to retry later than that is tried once', async () => {
		const patient = makeClient(baseUrl, { retryMaxDelayMs: 30_000 });
		sim.define({ workflows: [{ id: 'wf-long', steps: [{ instruction: 'Wait', durationMs: 5000 }], startDelayMs: 20 }] });
		const { runId } = await patient.runWorkflow('wf-long');
		sim.injectFault({ endpoint: 'cancelRun', kind: 'status', status: 503, retryAfter: '6', times: 10 });
		const err = await failure<WitriumApiError>(patient.cancelRun(runId, { bestEffort: true }));
		expect(err).toMatchObject({ kind: 'http', status: 503 });
		expect(count('cancelRun')).toBe(1);
	});

	test('a retry whose random backoff would overshoot the budget is moved up to leave one last try inside it', async () => {
		const slowBackoff = makeClient(baseUrl, { retryBaseDelayMs: 20_000, retryMaxDelayMs: 30_000 });
		const session = await slowBackoff.createSession();
		sim.injectFault({ endpoint: 'closeSession', kind: 'status', status: 503 });
		const closed = await slowBackoff.closeSession(session.uuid, { force: true }, { bestEffort: true });
		expect(closed.status).toBe('closed');
		expect(requests('closeSession').map((r) => r.status)).toEqual([503, 200]);
	});

	test('a close to a service that does not answer is given up after one try of the budget', async () => {
		const session = await client.createSession();
		sim.injectFault({ endpoint: 'closeSession', kind: 'delay', delayMs: 60_000, times: 10 });
		const err = await failure<WitriumApiError>(client.closeSession(session.uuid, { force: true }, { bestEffort: true }));
		expect(err).toMatchObject({ kind: 'timeout' });
		expect(err.message).toMatch(/timed out: no complete response within \d+ ms$/);
		expect(count('closeSession')).toBe(1);
	});
});
