/** A status code outside P R C F X (one the service may add): `completed_at` says whether the run is over. */
import { RunStatusError, WitriumClient, closeAllDispatchers } from '../../src/client';
import type { WitriumSimulator } from '../../simulator/index';
import { assertNoTokenLeak, failure, makeClient, startSimulator } from './helpers';

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

/** The wait's outcome, or 'still waiting' when it has not ended within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
	try {
		return await Promise.race([promise, late]);
	} finally {
		clearTimeout(timer);
	}
}

test('a run over under an unknown code ends a wait without a deadline at once, naming the raw code', async () => {
	const { runId } = await client.runWorkflow('ends-e');
	const outcome = await within(failure<RunStatusError>(client.waitForRun(runId)), 3000);
	expect(outcome).toBeInstanceOf(RunStatusError);
	const err = outcome as RunStatusError;
	expect(err.message).toBe(`Run ${runId} ended "E" (unknown status code) while waiting for completed (C)`);
	expect(err.run).toMatchObject({ status: 'E', completedAt: expect.any(String) });
});

test('a wait until running also ends on a run over under an unknown code', async () => {
	sim.define({ workflows: [{ id: 'ends-e-slow-start', startDelayMs: 600, steps: [], endStatus: 'E' }] });
	const { runId } = await client.runWorkflow('ends-e-slow-start');
	const outcome = await within(failure<RunStatusError>(client.waitForRun(runId, { until: 'running' })), 3000);
	expect(outcome).toBeInstanceOf(RunStatusError);
	expect((outcome as RunStatusError).message).toContain('"E" (unknown status code)');
});
