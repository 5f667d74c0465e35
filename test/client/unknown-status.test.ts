/** A status code outside P R C F X (one the service may add): `completed_at` says whether the run is over. */
import { RunStatusError, WaitTimeoutError, WitriumClient } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { assertNoTokenLeak, failure, makeClient, recordingServer, startSimulator } from './helpers';

let sim: WitriumSimulator;
let client: WitriumClient;

beforeAll(async () => {
	let baseUrl: string;
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl);
	sim.define({ workflows: [{ id: 'ends-e', startDelayMs: 0, steps: [{ instruction: 'Work', durationMs: 100 }], endStatus: 'E' }] });
});
afterAll(async () => {
	assertNoTokenLeak();
	await sim.stop();
	await closeAllDispatchers();
});

/** Polls of `runId` that arrived once the run was over: a wait that ends at once has one (two if one came in the same millisecond). */
function pollsAfterEnd(runId: string): number {
	const completedAt = sim.runs().find((run) => run.runId === runId)?.completedAt ?? Number.POSITIVE_INFINITY;
	return sim.requests.filter((request) => request.endpoint === 'getResults' && request.path.includes(runId) && request.at >= completedAt).length;
}

test('a run over under an unknown code ends a wait without a deadline at once, naming the raw code', async () => {
	const { runId } = await client.runWorkflow('ends-e');
	const err = await failure<RunStatusError>(client.waitForRun(runId));
	expect(err).toBeInstanceOf(RunStatusError);
	expect(pollsAfterEnd(runId)).toBeLessThanOrEqual(2);
	expect(err.message).toBe(`Run ${runId} ended "E" (unknown status code) while waiting for completed (C)`);
	expect(err.run).toMatchObject({ status: 'E', completedAt: expect.any(String) });
});

test('a wait until running also ends on a run over under an unknown code', async () => {
	sim.define({ workflows: [{ id: 'ends-e-slow-start', startDelayMs: 600, steps: [], endStatus: 'E' }] });
	const { runId } = await client.runWorkflow('ends-e-slow-start');
	const err = await failure<RunStatusError>(client.waitForRun(runId, { until: 'running' }));
	expect(err).toBeInstanceOf(RunStatusError);
	expect(pollsAfterEnd(runId)).toBeLessThanOrEqual(2);
	expect(err.message).toContain('"E" (unknown status code)');
});

describe('a code outside P R C F X without completed_at (perhaps a new queue state)', () => {
	/** A service of the test's own: the run shows `codes` one poll after another, then the last one for good. */
	async function serviceShowing(codes: string[]) {
		let polls = 0;
		return await recordingServer((req, res) => {
			res.setHeader('content-type', 'application/json');
			if (req.method === 'POST') {
				res.end(JSON.stringify({ workflow_id: 'wf-q', run_id: 'run-q', status: 'P' }));
				return;
			}
			const status = codes[Math.min(polls++, codes.length - 1)];
			const over = status === 'C';
			res.end(
				JSON.stringify({
					workflow_id: 'wf-q',
					run_id: 'run-q',
					status,
					started_at: '2026-01-01T00:00:00Z',
					completed_at: over ? '2026-01-01T00:01:00Z' : null,
					message: null,
					executions: [],
					result: over ? { ok: true } : null,
					result_format: null,
					error_message: null,
				}),
			);
		});
	}

	test('is polled as not over: when the run then completes, its result is returned', async () => {
		const service = await serviceShowing(['Q', 'Q', 'C']);
		try {
			const run = await makeClient(service.url).waitForRun('run-q');
			expect(run).toMatchObject({ status: 'C', result: { ok: true } });
		} finally {
			await service.close();
		}
	});

	test('with no deadline, a run that keeps it ends the wait once the limit has passed, naming the code', async () => {
		const service = await serviceShowing(['P', 'Q']);
		try {
			const err = await failure<WaitTimeoutError>(makeClient(service.url).waitForRun('run-q', { unknownStatusLimitMs: 1500 }));
			expect(err).toBeInstanceOf(WaitTimeoutError);
			expect(err.message).toMatch(/^Run run-q showed "Q" \(unknown status code\), which this client cannot tell over or not, for 1500 ms: stopped waiting for completed \(C\)$/);
			expect(err.lastRun?.status).toBe('Q');
		} finally {
			await service.close();
		}
	}, 15_000);
});
