/** What each endpoint sends on the wire, and how each answer is mapped. */
import { WitriumApiError, WitriumClient } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { TOKEN, assertNoTokenLeak, failure, makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let baseUrl: string;
let client: WitriumClient;

const RESULT = { order_total: 42, line_items: [{ sku_code: 'A-1', unit_price: 3.5 }], 'Odd Key': null };

beforeAll(async () => {
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl);
});
beforeEach(() => {
	sim.reset();
	sim.define({
		workflows: [
			{
				id: 'wf-1',
				steps: [
					{ instruction: 'Go to https://example.com', durationMs: 30, result: { page_title: 'Example' } },
					{ instruction: 'Extract the order', durationMs: 30 },
				],
				result: RESULT,
				startDelayMs: 20,
			},
			{ id: 'wf-slow', steps: [{ instruction: 'Wait', durationMs: 5000 }], startDelayMs: 20 },
		],
		talents: [{ id: 'talent-1', durationMs: 50, result: { found_it: true } }],
	});
});
afterAll(async () => {
	assertNoTokenLeak();
	await sim.stop();
	await closeAllDispatchers();
});

function last(endpoint: string) {
	const entries = sim.requests.filter((r) => r.endpoint === endpoint);
	expect(entries.length).toBeGreaterThan(0);
	const entry = entries[entries.length - 1];
	// The simulator notes what the service tolerates but a careful client should not send.
	expect(entry.notes ?? []).toEqual([]);
	expect(entry.invalid).toBeUndefined();
	return entry;
}

describe('runWorkflow', () => {
	test('sends exactly the fields set, snake_case, with the key header', async () => {
		const submitted = await client.runWorkflow('wf-1', { args: { name: 'Ada', count: 3 } });
		const entry = last('runWorkflow');
		expect(entry.method).toBe('POST');
		expect(entry.path).toBe('/v1/workflows/wf-1/run');
		expect(entry.body).toEqual({ args: { name: 'Ada', count: 3 } });
		expect(entry.headers['x-witrium-key']).toBe(TOKEN);
		expect(entry.headers['accept']).toBe('application/json');
		expect(entry.headers['content-type']).toBe('application/json');
		expect(entry.status).toBe(200);
		expect(submitted).toEqual({ workflowId: 'wf-1', runId: expect.any(String), status: expect.any(String) });
		expect(submitted.runId).not.toBe('');
	});

	test('maps every option to its wire name and leaves undefined ones out', async () => {
		// use_states must name a saved state: save one first.
		const login = await client.runWorkflow('wf-1', { preserveState: 'logged-in' });
		expect(last('runWorkflow').body).toEqual({ preserve_state: 'logged-in' });
		await client.waitForRun(login.runId, { timeoutMs: 5000 });
		await client.runWorkflow('wf-1', {
			args: { a: 'b' },
			files: [{ filename: 'x.txt', data: Buffer.from('hello').toString('base64') }],
			useStates: ['logged-in'],
			preserveState: 'after',
			noIntelligence: true,
			recordSession: false,
			skipGotoUrlInstruction: true,
			browserSessionId: undefined,
		});
		expect(last('runWorkflow').body).toEqual({
			args: { a: 'b' },
			files: [{ filename: 'x.txt', data: 'aGVsbG8=' }],
			use_states: ['logged-in'],
			preserve_state: 'after',
			no_intelligence: true,
			record_session: false,
			skip_goto_url_instruction: true,
		});
	});

	test('with no request sends an empty object', async () => {
		await client.runWorkflow('wf-1');
		expect(last('runWorkflow').body).toEqual({});
	});
});

describe('getResults', () => {
	test('maps the top level to camelCase and passes result data through untouched', async () => {
		const { runId } = await client.runWorkflow('wf-1');
		const run = await client.waitForRun(runId, { timeoutMs: 5000 });
		const fetched = await client.getResults(runId);
		const entry = last('getResults');
		expect(entry.method).toBe('GET');
		expect(entry.path).toBe(`/v1/runs/${runId}/results`);
		expect(entry.headers['x-witrium-key']).toBe(TOKEN);
		expect(entry.headers['content-type']).toBeUndefined();
		expect(entry.body).toBeUndefined();

		for (const r of [run, fetched]) {
			expect(r).toMatchObject({ workflowId: 'wf-1', runId, status: 'C', errorMessage: null });
			expect(r.result).toEqual(RESULT);
			expect(typeof r.startedAt).toBe('string');
			expect(typeof r.completedAt).toBe('string');
			expect(Object.keys(r)).not.toContain('run_id');
			expect(r.executions).toHaveLength(2);
			expect(r.executions[0]).toMatchObject({
				status: 'C',
				instructionOrder: 1,
				instruction: 'Go to https://example.com',
				result: { page_title: 'Example' },
				errorMessage: null,
			});
			expect(Object.keys(r.executions[0])).not.toContain('instruction_order');
		}
	});
});

describe('cancelRun', () => {
	test('sends no body and maps the run record', async () => {
		const { runId } = await client.runWorkflow('wf-slow');
		await client.waitForRun(runId, { until: 'running', timeoutMs: 5000 });
		const cancelled = await client.cancelRun(runId);
		const entry = last('cancelRun');
		expect(entry.method).toBe('POST');
		expect(entry.path).toBe(`/v1/runs/${runId}/cancel`);
		expect(entry.body).toBeUndefined();
		expect(entry.headers['content-type']).toBeUndefined();
		expect(entry.headers['x-witrium-key']).toBe(TOKEN);
		expect(cancelled).toMatchObject({ uuid: runId, status: 'X', runType: expect.any(String) });
		expect(cancelled.workflow).toMatchObject({ uuid: 'wf-slow' });
		expect(Object.keys(cancelled)).toEqual(expect.arrayContaining(['sessionId', 'triggeredBy', 'sessionActive', 'errorMessage']));
		expect(cancelled.executions[0]).toMatchObject({ instruction: 'Wait', instructionId: expect.anything() });
		expect((await client.getResults(runId)).status).toBe('X');
	});
});

describe('runTalent', () => {
	test('sends snake_case fields and maps the synchronous result', async () => {
		const login = await client.runWorkflow('wf-1', { preserveState: 's1' });
		await client.waitForRun(login.runId, { timeoutMs: 5000 });
		const result = await client.runTalent('talent-1', { args: { q: 'x' }, useStates: ['s1'] }, { timeoutMs: 10_000 });
		const entry = last('runTalent');
		expect(entry.method).toBe('POST');
		expect(entry.path).toBe('/v1/talents/talent-1/run');
		expect(entry.body).toEqual({ args: { q: 'x' }, use_states: ['s1'] });
		expect(result).toMatchObject({ status: expect.any(String), result: { found_it: true }, errorMessage: null });
		expect(Object.keys(result)).toEqual(expect.arrayContaining(['startedAt', 'completedAt', 'resultFormat', 'message']));
	});
});

describe('browser sessions', () => {
	test('create, list, get and close speak the documented shapes', async () => {
		const created = await client.createSession({ useProxy: true, proxyCountry: 'uk', preserveState: undefined });
		expect(last('createSession').body).toEqual({ use_proxy: true, proxy_country: 'uk' });
		expect(last('createSession').path).toBe('/v1/browser-sessions');
		expect(created).toMatchObject({ uuid: expect.any(String), status: 'active', isBusy: false, proxyCountry: 'uk' });
		expect(Object.keys(created)).toEqual(
			expect.arrayContaining(['userManaged', 'currentRunType', 'currentRunId', 'createdAt', 'lastActivityAt', 'proxyCity']),
		);

		const list = await client.listSessions();
		expect(last('listSessions')).toMatchObject({ method: 'GET', path: '/v1/browser-sessions', body: undefined });
		expect(list.totalCount).toBe(1);
		expect(list.sessions[0]).toMatchObject({ uuid: created.uuid, isBusy: false });

		const got = await client.getSession(created.uuid);
		expect(last('getSession')).toMatchObject({ method: 'GET', path: `/v1/browser-sessions/${created.uuid}` });
		expect(got.uuid).toBe(created.uuid);

		const closed = await client.closeSession(created.uuid);
		const closeEntry = last('closeSession');
		expect(closeEntry).toMatchObject({ method: 'POST', path: `/v1/browser-sessions/${created.uuid}`, body: undefined });
		expect(closeEntry.headers['content-type']).toBeUndefined();
		expect(closed).toEqual({ status: expect.any(String), message: expect.any(String) });
		expect((await client.getSession(created.uuid)).status).toBe('closed');
	});

	test('close sends force and preserve_state only when set', async () => {
		const a = await client.createSession();
		expect(last('createSession').body).toEqual({});
		await client.closeSession(a.uuid, { force: true });
		expect(last('closeSession').body).toEqual({ force: true });
		const b = await client.createSession();
		await client.closeSession(b.uuid, { preserveState: 'saved', force: undefined });
		expect(last('closeSession').body).toEqual({ preserve_state: 'saved' });
	});
});

describe('paths and base URL', () => {
	test('ids are percent-encoded into the path', async () => {
		const err = await failure<WitriumApiError>(client.getResults('a/b?c=1#x'));
		const entry = last('getResults');
		expect(entry.path).toBe('/v1/runs/a%2Fb%3Fc%3D1%23x/results');
		expect(entry.query).toEqual({});
		expect(err).toBeInstanceOf(WitriumApiError);
		expect(err.status).toBe(404);
		expect(err.endpoint).toBe('GET /v1/runs/a%2Fb%3Fc%3D1%23x/results');
	});

	test('trailing slashes of the base URL are trimmed', async () => {
		const slashed = makeClient(`${baseUrl}///`);
		await slashed.listSessions();
		expect(last('listSessions').path).toBe('/v1/browser-sessions');
	});
});
