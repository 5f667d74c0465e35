/** Saved browser states: preserved on success, required by some workflows, scoped to sessions. */
import type { WitriumSimulator } from '../../simulator/index';
import { startSimulator, waitForStatus, type Caller } from './helpers';

let sim: WitriumSimulator;
let call: Caller;

const NOT_LOGGED_IN = "Not logged in: state 'auth' was not restored";

beforeAll(async () => {
	({ sim, call } = await startSimulator({
		workflows: [
			{ id: 'login', startDelayMs: 5, steps: [{ instruction: 'Sign in', durationMs: 20 }] },
			{ id: 'login-fails', startDelayMs: 5, steps: [{ instruction: 'Sign in', durationMs: 20 }], failAtStep: 1 },
			{
				id: 'orders',
				startDelayMs: 5,
				steps: [
					{ instruction: 'Open orders', durationMs: 20 },
					{ instruction: 'Read orders', durationMs: 20 },
				],
				requiresState: 'auth',
				result: { orders: 2 },
			},
		],
		talents: [{ id: 'talent', durationMs: 10 }],
	}));
});
beforeEach(() => sim.reset());
afterAll(() => sim.stop());

async function runToEnd(workflowId: string, body: Record<string, unknown> = {}) {
	const res = await call('POST', `/v1/workflows/${workflowId}/run`, body);
	expect(res.status).toBe(200);
	return waitForStatus(call, res.json.run_id, ['C', 'F', 'X']);
}

const stateNames = () => sim.states().map((state) => state.name);

test('naming a state that was never saved is a 400, for runs, talents and sessions', async () => {
	const detail = { detail: "Browser state 'auth' not found" };
	for (const [path, body] of [
		['/v1/workflows/orders/run', { use_states: ['auth'] }],
		['/v1/talents/talent/run', { use_states: ['auth'] }],
		['/v1/browser-sessions', { use_states: ['auth'] }],
	] as const) {
		const res = await call('POST', path, body);
		expect(res.status).toBe(400);
		expect(res.json).toEqual(detail);
	}
	expect(sim.runs()).toEqual([]);
	expect(sim.sessions()).toEqual([]);
});

test('a workflow that needs a state fails at step 1 without it', async () => {
	const final = await runToEnd('orders');
	expect(final.status).toBe('F');
	expect(final.error_message).toBe(NOT_LOGGED_IN);
	expect(final.executions).toEqual([expect.objectContaining({ instruction_order: 1, status: 'F', error_message: NOT_LOGGED_IN })]);
});

test('log in once with preserve_state, then use_states restores it in a fresh browser', async () => {
	expect((await runToEnd('login', { preserve_state: 'auth' })).status).toBe('C');
	expect(stateNames()).toEqual(['auth']);

	const final = await runToEnd('orders', { use_states: ['auth'] });
	expect(final.status).toBe('C');
	expect(final.result).toEqual({ orders: 2 });
	expect(sim.runs()[1]).toMatchObject({ useStates: ['auth'], restoredStates: ['auth'], useStatesIgnored: false });
});

test('a state is saved only when the run completes', async () => {
	expect((await runToEnd('login-fails', { preserve_state: 'auth' })).status).toBe('F');
	expect(stateNames()).toEqual([]);
});

test('a state preserved by a run in a session is present for later runs in that session', async () => {
	const session = (await call('POST', '/v1/browser-sessions')).json.uuid;
	await runToEnd('login', { browser_session_id: session, preserve_state: 'auth' });
	expect((await runToEnd('orders', { browser_session_id: session })).status).toBe('C');
	expect(sim.sessions()[0].states).toEqual(['auth']);
});

test('in a session, run-level use_states is ignored (and noted): the session’s states apply', async () => {
	await runToEnd('login', { preserve_state: 'auth' });
	const session = (await call('POST', '/v1/browser-sessions')).json.uuid;

	const final = await runToEnd('orders', { browser_session_id: session, use_states: ['auth'] });
	expect(final.status).toBe('F');
	expect(final.error_message).toBe(NOT_LOGGED_IN);
	const run = sim.runs()[1];
	expect(run).toMatchObject({ sessionId: session, useStates: ['auth'], useStatesIgnored: true, restoredStates: [] });
	const submit = sim.requests.filter((entry) => entry.endpoint === 'runWorkflow')[1];
	expect(submit.notes).toEqual(['use_states ignored: browser_session_id is set']);
	expect(submit.invalid).toBeUndefined();
});

test('in a session, run-level use_states is not even checked', async () => {
	const session = (await call('POST', '/v1/browser-sessions')).json.uuid;
	const res = await call('POST', '/v1/workflows/login/run', { browser_session_id: session, use_states: ['never-saved'] });
	expect(res.status).toBe(200);
	await waitForStatus(call, res.json.run_id, ['C']);
});

test('a session created with use_states restores them for every run in it', async () => {
	await runToEnd('login', { preserve_state: 'auth' });
	const session = (await call('POST', '/v1/browser-sessions', { use_states: ['auth'] })).json.uuid;
	expect((await runToEnd('orders', { browser_session_id: session })).status).toBe('C');
	expect((await runToEnd('orders', { browser_session_id: session })).status).toBe('C');
	expect(sim.runs()[2].restoredStates).toEqual(['auth']);
});

test('a session saves its state when it closes; the close’s preserve_state wins', async () => {
	const first = (await call('POST', '/v1/browser-sessions', { preserve_state: 'from-create' })).json.uuid;
	await call('POST', `/v1/browser-sessions/${first}`);
	const second = (await call('POST', '/v1/browser-sessions', { preserve_state: 'ignored' })).json.uuid;
	await call('POST', `/v1/browser-sessions/${second}`, { preserve_state: 'from-close' });
	expect(stateNames().sort()).toEqual(['from-close', 'from-create']);
	expect(sim.states().find((state) => state.name === 'from-close')?.savedBy).toBe(second);
});
