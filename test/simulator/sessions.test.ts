/** Browser sessions: records, one run at a time (FIFO), talents sharing them, and closing. */
import type { WitriumSimulator } from '../../simulator/index';
import { ISO_8601, sleep, startSimulator, waitFor, waitForStatus, type Caller } from './helpers';

let sim: WitriumSimulator;
let call: Caller;

beforeAll(async () => {
	({ sim, call } = await startSimulator({
		workflows: [
			{ id: 'quick', startDelayMs: 10, steps: [{ instruction: 'Click', durationMs: 60 }] },
			{ id: 'slow', startDelayMs: 10, steps: [{ instruction: 'Wait', durationMs: 5000 }] },
		],
		talents: [
			{ id: 'summarize', durationMs: 120, result: { summary: 'short' }, resultFormat: 'json' },
			{ id: 'broken', durationMs: 20, fail: 'Could not read the page' },
			{ id: 'echo', durationMs: 5, echoArgs: true },
		],
	}));
});
beforeEach(() => sim.reset());
afterAll(() => sim.stop());

const createSession = async (body?: unknown) => (await call('POST', '/v1/browser-sessions', body)).json;
const runIn = async (workflowId: string, sessionId: string) =>
	(await call('POST', `/v1/workflows/${workflowId}/run`, { browser_session_id: sessionId })).json.run_id as string;
const getSession = async (id: string) => (await call('GET', `/v1/browser-sessions/${id}`)).json;

describe('session records', () => {
	test('a new session has every documented key, the service’s defaults, and no proxy location', async () => {
		const session = await createSession();
		expect(session).toEqual({
			uuid: expect.any(String),
			provider: 'omega',
			status: 'active',
			is_busy: false,
			user_managed: true,
			current_run_type: null,
			current_run_id: null,
			created_at: expect.stringMatching(ISO_8601),
			started_at: expect.stringMatching(ISO_8601),
			last_activity_at: expect.stringMatching(ISO_8601),
			proxy_country: null,
			proxy_city: null,
		});
		expect(await getSession(session.uuid)).toEqual(session);
	});

	test('with a proxy the location defaults to us / New York unless given', async () => {
		expect(await createSession({ use_proxy: true })).toMatchObject({ proxy_country: 'us', proxy_city: 'New York' });
		expect(
			await createSession({ use_proxy: true, proxy_country: 'gb', proxy_city: 'London', provider: 'other' }),
		).toMatchObject({ proxy_country: 'gb', proxy_city: 'London', provider: 'other' });
	});

	test('listing shows active sessions only; a closed one is still readable by id', async () => {
		const open = await createSession();
		const closed = await createSession();
		const close = await call('POST', `/v1/browser-sessions/${closed.uuid}`);
		expect(close.json).toEqual({ status: 'closed', message: 'Browser session closed' });

		const list = (await call('GET', '/v1/browser-sessions')).json;
		expect(list).toEqual({ sessions: [await getSession(open.uuid)], total_count: 1 });
		expect((await getSession(closed.uuid)).status).toBe('closed');
		expect(sim.sessions().find((session) => session.sessionId === closed.uuid)?.closedAt).not.toBeNull();
	});

	test('closing twice is fine; running in a closed session is a 400', async () => {
		const session = await createSession();
		await call('POST', `/v1/browser-sessions/${session.uuid}`, { force: false });
		const again = await call('POST', `/v1/browser-sessions/${session.uuid}`);
		expect(again.status).toBe(200);
		expect(again.json).toEqual({ status: 'closed', message: 'Browser session already closed' });

		const run = await call('POST', '/v1/workflows/quick/run', { browser_session_id: session.uuid });
		expect(run.status).toBe(400);
		expect(run.json).toEqual({ detail: `Browser session ${session.uuid} is closed` });
		const talent = await call('POST', '/v1/talents/summarize/run', { browser_session_id: session.uuid });
		expect(talent.status).toBe(400);
		expect(sim.runs()).toEqual([]);
	});
});

describe('one run at a time per session', () => {
	test('a second run waits P until the first is done, and the session shows who holds it', async () => {
		const session = await createSession();
		const first = await runIn('quick', session.uuid);
		const second = await runIn('quick', session.uuid);

		await waitForStatus(call, first, ['R']);
		expect((await call('GET', `/v1/runs/${second}/results`)).json.status).toBe('P');
		expect(await getSession(session.uuid)).toMatchObject({
			is_busy: true,
			current_run_id: first,
			current_run_type: 'workflow',
		});

		await waitForStatus(call, second, ['C']);
		const [a, b] = sim.runs();
		expect(a.status).toBe('C');
		expect(b.startedAt!).toBeGreaterThanOrEqual(a.completedAt!);
		expect(sim.maxConcurrentRuns({ sessionId: session.uuid })).toBe(1);
		expect(await getSession(session.uuid)).toMatchObject({ is_busy: false, current_run_id: null, current_run_type: null });
	});

	test('waiting runs start in the order they were submitted', async () => {
		const session = await createSession();
		const ids = [];
		for (let i = 0; i < 3; i++) ids.push(await runIn('quick', session.uuid));
		expect(sim.sessions()[0].queuedRunIds).toEqual(ids.slice(1));
		await waitForStatus(call, ids[2], ['C']);
		const starts = sim.runs().map((run) => run.startedAt!);
		expect(starts).toEqual([...starts].sort((a, b) => a - b));
		expect(sim.maxConcurrentRuns({ sessionId: session.uuid })).toBe(1);
	});

	test('two sessions run side by side', async () => {
		const [one, two] = [await createSession(), await createSession()];
		const ids = await Promise.all([runIn('quick', one.uuid), runIn('quick', two.uuid)]);
		for (const id of ids) await waitForStatus(call, id, ['C']);
		expect(sim.maxConcurrentRuns()).toBe(2);
		expect(sim.maxConcurrentRuns({ sessionId: one.uuid })).toBe(1);
	});

	test('cancelling the running run frees the session for the next one', async () => {
		const session = await createSession();
		const slow = await runIn('slow', session.uuid);
		const next = await runIn('quick', session.uuid);
		await waitForStatus(call, slow, ['R']);
		expect((await call('POST', `/v1/runs/${slow}/cancel`)).json).toMatchObject({
			status: 'X',
			session_id: session.uuid,
			session_active: true,
		});
		await waitForStatus(call, next, ['C']);
	});

	test('last_activity_at moves when a run starts and ends in the session', async () => {
		const session = await createSession();
		await sleep(5);
		await waitForStatus(call, await runIn('quick', session.uuid), ['C']);
		const after = await getSession(session.uuid);
		expect(Date.parse(after.last_activity_at)).toBeGreaterThan(Date.parse(session.last_activity_at));
		const run = sim.runs()[0];
		expect(sim.sessions()[0].lastActivityAt).toBe(run.completedAt);
	});
});

describe('talents', () => {
	test('a talent run answers only when it is done, with the documented keys', async () => {
		const res = await call('POST', '/v1/talents/summarize/run', { args: { url: 'https://example.com' } });
		expect(res.status).toBe(200);
		expect(res.elapsedMs).toBeGreaterThanOrEqual(110);
		expect(res.json).toEqual({
			status: 'C',
			started_at: expect.stringMatching(ISO_8601),
			completed_at: expect.stringMatching(ISO_8601),
			message: null,
			result: { summary: 'short' },
			result_format: 'json',
			error_message: null,
		});
		expect(sim.runs()).toEqual([expect.objectContaining({ kind: 'talent', definitionId: 'summarize', status: 'C' })]);
		expect(sim.runCount('summarize')).toBe(1);
	});

	test('a failing talent answers F with its error message', async () => {
		const res = await call('POST', '/v1/talents/broken/run');
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({ status: 'F', error_message: 'Could not read the page', result: null });
	});

	test('a talent can echo its args', async () => {
		const res = await call('POST', '/v1/talents/echo/run', { args: { q: 'x' } });
		expect(res.json.result).toEqual({ args: { q: 'x' } });
	});

	test('a talent occupies its session: it waits for a running workflow, and a workflow waits for it', async () => {
		const session = await createSession();
		const before = await runIn('quick', session.uuid);
		const talent = call('POST', '/v1/talents/summarize/run', { browser_session_id: session.uuid });
		// The talent is queued behind the workflow...
		await waitFor(() => sim.runs(), (runs) => runs.length === 2);
		const after = await runIn('quick', session.uuid);
		// ...then holds the session itself while the later workflow waits.
		const busy = await waitFor(() => getSession(session.uuid), (s) => s.current_run_type === 'talent');
		expect(busy.is_busy).toBe(true);
		expect((await call('GET', `/v1/runs/${after}/results`)).json.status).toBe('P');

		expect((await talent).json.status).toBe('C');
		await waitForStatus(call, after, ['C']);
		const [workflowBefore, talentRun, workflowAfter] = sim.runs();
		expect(talentRun.startedAt!).toBeGreaterThanOrEqual(workflowBefore.completedAt!);
		expect(workflowAfter.startedAt!).toBeGreaterThanOrEqual(talentRun.completedAt!);
		expect(sim.maxConcurrentRuns({ sessionId: session.uuid })).toBe(1);
		expect(before).toBe(workflowBefore.runId);
	});
});

describe('closing a busy session', () => {
	test('without force it is a 409 and nothing changes', async () => {
		const session = await createSession();
		const runId = await runIn('slow', session.uuid);
		const res = await call('POST', `/v1/browser-sessions/${session.uuid}`, {});
		expect(res.status).toBe(409);
		expect(res.json).toEqual({ detail: 'Browser session is busy; use force to close it' });
		expect((await getSession(session.uuid)).status).toBe('active');
		expect(sim.runs()[0]).toMatchObject({ runId, status: expect.stringMatching(/^[PR]$/) });
		await call('POST', `/v1/runs/${runId}/cancel`);
	});

	test('with force the running and the waiting runs are cancelled, and the session is closed', async () => {
		const session = await createSession();
		const running = await runIn('slow', session.uuid);
		const waiting = await runIn('quick', session.uuid);
		await waitForStatus(call, running, ['R']);
		const res = await call('POST', `/v1/browser-sessions/${session.uuid}`, { force: true });
		expect(res.json).toEqual({ status: 'closed', message: 'Browser session closed' });
		for (const id of [running, waiting]) {
			const results = (await call('GET', `/v1/runs/${id}/results`)).json;
			expect(results.status).toBe('X');
			expect(results.error_message).toBe(`Browser session ${session.uuid} was closed`);
		}
		await sleep(100);
		expect(sim.runs().find((run) => run.runId === waiting)?.startedAt).toBeNull();
		expect(await getSession(session.uuid)).toMatchObject({ status: 'closed', is_busy: false });
	});

	test('a talent waiting on a force-closed session answers X', async () => {
		const session = await createSession();
		const running = await runIn('slow', session.uuid);
		const talent = call('POST', '/v1/talents/summarize/run', { browser_session_id: session.uuid });
		await waitForStatus(call, running, ['R']);
		await waitFor(() => sim.runs(), (runs) => runs.length === 2);
		await call('DELETE', `/v1/browser-sessions/${session.uuid}?force=true`);
		expect((await talent).json.status).toBe('X');
	});

	test('the legacy DELETE without force refuses a busy session too', async () => {
		const session = await createSession();
		const runId = await runIn('slow', session.uuid);
		expect((await call('DELETE', `/v1/browser-sessions/${session.uuid}`)).status).toBe(409);
		expect((await call('DELETE', `/v1/browser-sessions/${session.uuid}?force=true`)).json).toEqual({
			status: 'closed',
			message: 'Browser session closed',
		});
		expect(sim.runs()[0]).toMatchObject({ runId, status: 'X' });
	});
});
