/** A run over under a status code outside P R C F X ends the node's wait; nothing cancels it. */
import { recordingServer } from '../client/helpers';
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

describe('a code outside P R C F X without completed_at', () => {
	async function serviceShowingQ() {
		return await recordingServer((req, res) => {
			res.setHeader('content-type', 'application/json');
			if (req.method === 'POST' && req.url?.endsWith('/run')) res.end(JSON.stringify({ workflow_id: ENDS_E, run_id: 'run-q', status: 'P' }));
			else if (req.method === 'POST') res.end(JSON.stringify({ uuid: 'run-q', status: 'X' }));
			else res.end(JSON.stringify({ workflow_id: ENDS_E, run_id: 'run-q', status: 'Q', started_at: null, completed_at: null, message: null, executions: [], result: null, result_format: null, error_message: null }));
		});
	}
	const runNode = (baseUrl: string, options: { timeout: number; onTimeout: string }) =>
		runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: ENDS_E, browserSessionId: '', options })]), {
			credentials: { witriumApi: { apiToken: 'any-token', baseUrl } },
		});

	test('the item keeps the raw code in status, and statusName says unknown', async () => {
		const service = await serviceShowingQ();
		try {
			const result = await runNode(service.url, { timeout: 1, onTimeout: 'returnLast' });
			expect(output(result, 'Run')[0].json).toMatchObject({ runId: 'run-q', status: 'Q', statusName: 'unknown' });
		} finally {
			await service.close();
		}
	});

	test('at the timeout the error names the code', async () => {
		const service = await serviceShowingQ();
		try {
			const error = nodeError(await runNode(service.url, { timeout: 1, onTimeout: 'fail' }), 'Run');
			expect(error.message).toContain('last status: unknown (Q)');
		} finally {
			await service.close();
		}
	});
});
