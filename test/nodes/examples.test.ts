import { demoData } from '../../simulator';
import { runWorkflow, testCredential } from '../harness';
import { output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
beforeAll(() => sim.define(demoData()));

test('example: log in, scrape and summarize in one session, then close it', async () => {
	const result = await runWorkflow('examples/login-then-scrape-in-one-session.json', { credentials: credentials() });
	expect(result.error).toBeUndefined();
	const sessionId = output(result, 'Create Session')[0].json.browserSessionId;
	expect(output(result, 'Log In')[0].json).toMatchObject({ status: 'C', browserSessionId: sessionId, result: { loggedIn: true, user: 'jane@example.com' } });
	expect(output(result, 'Scrape Listings')[0].json.result).toHaveLength(5);
	expect(output(result, 'Summarize Page')[0].json.status).toBe('C');
	expect(output(result, 'Close Session')[0].json).toMatchObject({ browserSessionId: sessionId, closed: true });
	expect(sim.runs().map((run) => run.sessionId)).toEqual([sessionId, sessionId, sessionId]);
	expect(sim.sessions()[0].status).toBe('closed');
});

test('example: a failed login goes to the error output, which still closes the session', async () => {
	sim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 400, detail: 'Workflow is paused', times: 1 });
	const result = await runWorkflow('examples/login-then-scrape-in-one-session.json', { credentials: credentials() });
	expect(output(result, 'Log In', 1)[0].json.error).toContain('Workflow is paused');
	expect(result.nodes['Scrape Listings']).toBeUndefined();
	expect(output(result, 'Close Session')[0].json.closed).toBe(true);
	expect(sim.sessions()[0].status).toBe('closed');
});

test('example: log in once, preserve the state, scrape six categories three at a time', async () => {
	const result = await runWorkflow('examples/log-in-once-fan-out.json', { credentials: credentials() });
	expect(result.error).toBeUndefined();
	expect(output(result, 'Scrape Category')).toHaveLength(6 * 5);
	const scrapes = sim.runs().filter((run) => run.definitionId === '22222222-2222-4222-8222-222222222222');
	// Every category scraped once; two slots freed at the same moment submit in either order.
	expect(scrapes.map((run) => run.args.category).sort()).toEqual(['books', 'games', 'garden', 'music', 'sports', 'toys']);
	expect(scrapes.every((run) => run.restoredStates.includes('example-login'))).toBe(true);
	expect(sim.maxConcurrentRuns()).toBe(3);
});

test('example: the nightly janitor closes idle sessions', async () => {
	const created = await Promise.all([0, 1].map(() => fetch(`${sim.url}/v1/browser-sessions`, { method: 'POST', headers: { 'X-Witrium-Key': sim.token } })));
	expect(created.every((response) => response.ok)).toBe(true);
	const workflow = JSON.parse(JSON.stringify(require('../../examples/nightly-janitor.json')));
	workflow.nodes[1].parameters.idleMinutes = 0;
	const result = await runWorkflow(workflow, { credentials: credentials() });
	expect(output(result, 'Close Idle Sessions')).toHaveLength(2);
	expect(sim.sessions().every((session) => session.status === 'closed')).toBe(true);
});

describe('example: a long run that holds no worker (Run, Wait, Get Results, loop)', () => {
	const TWO_SECONDS = 'bcbcbcbc-0000-4000-8000-000000000001';
	const ENDLESS = 'bcbcbcbc-0000-4000-8000-000000000002';
	beforeAll(() =>
		sim.define({
			workflows: [
				{ id: TWO_SECONDS, startDelayMs: 20, steps: [{ instruction: 'Export', durationMs: 2000 }], result: { rows: 42 }, resultFormat: 'json' },
				{ id: ENDLESS, startDelayMs: 20, steps: [{ instruction: 'Export forever', durationMs: 600_000 }] },
			],
		}),
	);

	/** The example with its Wait at 1 s (n8n keeps a wait under 65 s in the process) and `rounds` rounds at most. */
	function loop(workflowId: string, rounds?: number) {
		const workflow = JSON.parse(JSON.stringify(require('../../examples/long-run-without-holding-a-worker.json')));
		const named = (name: string) => workflow.nodes.find((n: { name: string }) => n.name === name);
		named('Start Export').parameters.workflowId = workflowId;
		Object.assign(named('Wait 2 Minutes').parameters, { amount: 1, unit: 'seconds' });
		if (rounds) named('Out of Rounds?').parameters.conditions.conditions[0].rightValue = rounds;
		return runWorkflow(workflow, { credentials: credentials() });
	}

	test('it loops until the run has finished, then outputs its result; the run started once', async () => {
		const result = await loop(TWO_SECONDS);
		expect(result.error).toBeUndefined();
		expect(output(result, 'Run Finished').map((item) => item.json)).toEqual([expect.objectContaining({ statusName: 'completed', finished: true, result: { rows: 42 } })]);
		expect(result.nodes['Get Results'].length).toBeGreaterThanOrEqual(2); // one read a round
		expect(result.nodes['Cancel Run']).toBeUndefined();
		expect(sim.runs().map((run) => [run.definitionId, run.status])).toEqual([[TWO_SECONDS, 'C']]);
	});

	test('out of rounds, it cancels the run and fails the execution', async () => {
		const result = await loop(ENDLESS, 3);
		expect(result.nodes['Get Results']).toHaveLength(3);
		expect(output(result, 'Cancel Run')[0].json).toMatchObject({ statusName: 'cancelled' });
		expect(result.error?.message).toMatch(/^Run .+ was still going after \d+ rounds: cancelled$/);
		expect(sim.runs().map((run) => [run.definitionId, run.status])).toEqual([[ENDLESS, 'X']]);
	});
});

test('the credential test passes with the right token and shows the service message with a wrong one', async () => {
	expect(await testCredential('witriumApi', { apiToken: sim.token, baseUrl: sim.url })).toMatchObject({ status: 'OK' });
	const wrong = await testCredential('witriumApi', { apiToken: 'not-the-token', baseUrl: `${sim.url}/` });
	expect(wrong.status).toBe('Error');
	expect(wrong.message).toContain('Witrium rejected the API token (401 Unauthorized)');
	expect(wrong.message).not.toContain('not-the-token');
});
