/**
 * A 404 is final only when Witrium itself says so (a JSON `detail`): a 404 page from a proxy or
 * load balancer in front of it (during a deploy, say) says nothing about the run, so it is retried.
 */
import { WitriumApiError, WitriumClient } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { assertNoTokenLeak, failure, makeClient, startSimulator } from './helpers';

const PROXY_404 =
	'<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>';

let sim: WitriumSimulator;
let baseUrl: string;
let client: WitriumClient;

beforeAll(async () => {
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl, { maxRetries: 2 });
});
beforeEach(() => {
	sim.reset();
	sim.define({ workflows: [{ id: 'wf-1', startDelayMs: 20, steps: [{ instruction: 'Go', durationMs: 300 }] }] });
});
afterAll(async () => {
	assertNoTokenLeak();
	await sim.stop();
	await closeAllDispatchers();
});

const polls = () => sim.requests.filter((r) => r.endpoint === 'getResults');

test("a proxy's 404 page during a deploy does not end a wait: the wait carries on to the run's result", async () => {
	const { runId } = await client.runWorkflow('wf-1');
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: PROXY_404, times: 4 });
	const run = await client.waitForRun(runId, { timeoutMs: 20_000 });
	expect(run.status).toBe('C');
	expect(polls().filter((poll) => poll.status === 404)).toHaveLength(4);
});

test('a 404 page that persists is retried a bounded number of times, then is a retryable error that does not say the run is gone', async () => {
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: PROXY_404, times: 10 });
	const err = await failure<WitriumApiError>(client.getResults('some-run'));
	expect(polls()).toHaveLength(3);
	expect(err).toMatchObject({ kind: 'http', status: 404, retryable: true, notFound: false, detail: '404 Not Found 404 Not Found nginx' });
});

test("Witrium's own 404 (a JSON detail) is final at once: that run does not exist", async () => {
	const err = await failure<WitriumApiError>(client.getResults('00000000-0000-4000-8000-000000000000'));
	expect(polls()).toHaveLength(1);
	expect(err).toMatchObject({ kind: 'http', status: 404, retryable: false, notFound: true });
});

test('a POST that starts a run, answered by a 404 page, provably started nothing: it is retried', async () => {
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 404, body: PROXY_404 });
	const submitted = await client.runWorkflow('wf-1');
	expect(sim.runCount('wf-1')).toBe(1);
	expect(submitted.runId).toEqual(expect.any(String));
});
