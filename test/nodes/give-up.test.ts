/**
 * The clean-up a node does when it gives up on work it started (cancel the run, close the session)
 * is best effort: one bounded try of a few seconds in all, never five retries of a stuck service.
 */
import { runWorkflow } from '../harness';
import { line, node, nodeError, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
const SLOW = 'abababab-0000-4000-8000-00000000900d';

beforeAll(() => sim.define({ workflows: [{ id: SLOW, startDelayMs: 20, steps: [{ instruction: 'Wait for the page', durationMs: 60_000 }] }] }));

const requests = (endpoint: string) => sim.requests.filter((request) => request.endpoint === endpoint);

test('a wait timeout with Cancel Run and Fail, on a service that does not answer the cancel, fails the item after one try', async () => {
	sim.injectFault({ endpoint: 'cancelRun', kind: 'delay', delayMs: 60_000, times: 10 });
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: SLOW, browserSessionId: '', options: { timeout: 1, onTimeout: 'cancelAndFail' } })]),
		{ credentials: credentials() },
	);
	expect(nodeError(result, 'Run').description).toMatch(/^Cancelling the run failed: it may still be going/);
	expect(requests('cancelRun')).toHaveLength(1);
}, 60_000);

test('with the error output, the failed item itself says the run may still be going (the description does not reach it)', async () => {
	sim.injectFault({ endpoint: 'cancelRun', kind: 'status', status: 503, retryAfter: '20', times: 10 });
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: SLOW, browserSessionId: '', options: { timeout: 1, onTimeout: 'cancelAndFail' } }, { onError: 'continueErrorOutput' })]),
		{ credentials: credentials() },
	);
	const [failed] = result.nodes.Run[0].items[1];
	expect(failed.json.error).toMatch(/did not reach "completed" within 1 s .*; cancelling it failed, so it may still be going$/);
}, 60_000);

test('a cancel the service asks to retry much later is not waited for', async () => {
	sim.injectFault({ endpoint: 'cancelRun', kind: 'status', status: 503, retryAfter: '20', times: 10 });
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: SLOW, browserSessionId: '', options: { timeout: 1, onTimeout: 'cancelAndFail' } })]),
		{ credentials: credentials() },
	);
	expect(nodeError(result, 'Run').description).toMatch(/^Cancelling the run failed/);
	expect(requests('cancelRun')).toHaveLength(1);
}, 60_000);
