import { runWorkflow } from '../harness';
import { LOGIN, SCRAPE, TALENT, everythingShown, line, node, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

beforeAll(() => {
	sim.define({
		workflows: [
			{ id: LOGIN, steps: [{ instruction: 'Log in', durationMs: 60 }], result: { loggedIn: true } },
			{ id: SCRAPE, steps: [{ instruction: 'Scrape', durationMs: 60 }], result: [{ id: 1 }, { id: 2 }] },
		],
		talents: [{ id: TALENT, durationMs: 50, result: { summary: 'ok' } }],
	});
});

test('a session id flows from Create Session through Run Workflow and Run Talent to Close Session with default parameters', async () => {
	const result = await runWorkflow(
		line([
			node('Create Session', 'witriumBrowserSession'),
			node('Log In', 'witriumRunWorkflow', { workflowId: LOGIN }),
			node('Summarize', 'witriumRunTalent', { talentId: TALENT }),
			node('Close Session', 'witriumBrowserSession', { operation: 'close' }),
		]),
		{ credentials: credentials() },
	);

	expect(result.error).toBeUndefined();
	const sessionId = output(result, 'Create Session')[0].json.browserSessionId as string;
	expect(sessionId).toEqual(expect.any(String));
	expect(output(result, 'Log In')[0].json).toMatchObject({ browserSessionId: sessionId, status: 'C', statusName: 'completed', result: { loggedIn: true } });
	expect(output(result, 'Summarize')[0].json).toMatchObject({ talentId: TALENT, browserSessionId: sessionId, status: 'C', result: { summary: 'ok' } });
	expect(output(result, 'Close Session')[0].json).toMatchObject({ browserSessionId: sessionId, closed: true, status: 'closed' });

	const runs = sim.runs();
	expect(runs.map((run) => [run.definitionId, run.sessionId])).toEqual([
		[LOGIN, sessionId],
		[TALENT, sessionId],
	]);
	expect(sim.sessions().find((session) => session.sessionId === sessionId)?.status).toBe('closed');
	expect(everythingShown(result)).not.toContain(sim.token);
});

test('login then scrape in one session, then close: three runs in one browser, each after the other', async () => {
	const result = await runWorkflow(
		line([
			node('Create Session', 'witriumBrowserSession'),
			node('Log In', 'witriumRunWorkflow', { workflowId: LOGIN }),
			node('Scrape', 'witriumRunWorkflow', { workflowId: SCRAPE, options: { skipGotoUrlInstruction: true } }),
			node('Summarize', 'witriumRunTalent', { talentId: TALENT }),
			node('Close Session', 'witriumBrowserSession', { operation: 'close' }),
		]),
		{ credentials: credentials() },
	);
	expect(result.error).toBeUndefined();
	const sessionId = output(result, 'Create Session')[0].json.browserSessionId;
	expect(sim.runs().filter((run) => run.sessionId === sessionId)).toHaveLength(3);
	expect(sim.maxConcurrentRuns({ sessionId: sessionId as string })).toBe(1);
	const scrapeRequest = sim.requests.find((request) => request.endpoint === 'runWorkflow' && request.path.includes(SCRAPE));
	expect(scrapeRequest?.body).toEqual({ browser_session_id: sessionId, skip_goto_url_instruction: true });
	expect(sim.sessions().find((session) => session.sessionId === sessionId)?.status).toBe('closed');
});
