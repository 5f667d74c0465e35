/** A 404 page that is not Witrium's never costs a healthy run; each 404 tells the user what to fix. */
import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const PROXY_404 = '<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>';

const { sim, credentials } = useSimulator();
const WORKFLOW = 'abababab-0000-4000-8000-000000000404';

beforeAll(() => sim.define({ workflows: [{ id: WORKFLOW, startDelayMs: 20, steps: [{ instruction: 'Work', durationMs: 300 }] }] }));

const getResults = (runId: string, baseUrl = sim.url) =>
	runWorkflow(line([node('Get', 'witriumRunWorkflow', { operation: 'getResults', runId })]), {
		credentials: { witriumApi: { apiToken: sim.token, baseUrl } },
	});

test("a run whose polls meet a proxy's 404 page for a while completes, and is not cancelled", async () => {
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: PROXY_404, times: 3 });
	const result = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: WORKFLOW, browserSessionId: '' })]), {
		credentials: credentials(),
	});
	expect(output(result, 'Run')[0].json).toMatchObject({ status: 'C', statusName: 'completed' });
	expect(sim.requests.filter((request) => request.endpoint === 'cancelRun')).toHaveLength(0);
});

test("Witrium's own 404 for a run it does not know says to check the id", async () => {
	const error = nodeError(await getResults('00000000-0000-4000-8000-000000000000'), 'Get');
	expect(error.description).toContain('Check the id');
});

test('a 404 page from something else says to check the Base URL, not the id', async () => {
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: PROXY_404, times: 10 });
	const error = nodeError(await getResults('00000000-0000-4000-8000-000000000000'), 'Get');
	expect(error.description).toContain('check the Base URL in the Witrium API credential');
	expect(error.description).not.toContain('Check the id');
});

test('a Base URL with a path Witrium does not know (its JSON "Not Found") says to check the Base URL first', async () => {
	const error = nodeError(await getResults('00000000-0000-4000-8000-000000000000', `${sim.url}/api`), 'Get');
	expect(sim.requests.map((request) => request.path)).toEqual(['/api/v1/runs/00000000-0000-4000-8000-000000000000/results']);
	expect(error.description).toMatch(/^Witrium said: Not Found\. Witrium knows no such path: check the Base URL in the Witrium API credential/);
});
