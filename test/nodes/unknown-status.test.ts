/** A run over under a status code outside P R C F X ends the node's wait; nothing cancels it. */
import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
const ENDS_E = 'abababab-0000-4000-8000-000000000001';

beforeAll(() => sim.define({ workflows: [{ id: ENDS_E, startDelayMs: 0, steps: [{ instruction: 'Work', durationMs: 100 }], endStatus: 'E' }] }));

const cancels = () => sim.requests.filter((request) => request.endpoint === 'cancelRun');

test('an unknown code with completed_at set fails the item at once naming the code, and cancels nothing', async () => {
	const result = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: ENDS_E, browserSessionId: '', options: { timeout: 4 } })]), {
		credentials: credentials(),
	});
	const error = nodeError(result, 'Run');
	expect(error.message).toMatch(/^Run \S+ of workflow \S+ ended with status "E", a code this node does not know$/);
	expect(cancels()).toHaveLength(0);
});

test('with Timeout 0 the wait ends too; without Fail on Run Failure the item carries the raw code', async () => {
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: ENDS_E, browserSessionId: '', options: { timeout: 0, failOnRunFailure: false } })]),
		{ credentials: credentials() },
	);
	expect(output(result, 'Run')[0].json).toMatchObject({ status: 'E', completedAt: expect.any(String) });
	expect(cancels()).toHaveLength(0);
});
