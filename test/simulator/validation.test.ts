/** Auth, routing and request validation: what the service refuses, and how it says so. */
import type { WitriumSimulator } from '../../simulator/index';
import { startSimulator, type Caller } from './helpers';

let sim: WitriumSimulator;
let call: Caller;

beforeAll(async () => {
	({ sim, call } = await startSimulator({
		workflows: [
			{ id: 'wf', startDelayMs: 10, steps: [{ instruction: 'Go to https://example.com', durationMs: 10 }] },
			{ id: 'wf with space', startDelayMs: 10, steps: [] },
		],
		talents: [{ id: 'talent', durationMs: 10 }],
	}));
});
beforeEach(() => sim.reset());
afterAll(() => sim.stop());

describe('authentication', () => {
	test('a missing or wrong key is a 401 and starts nothing', async () => {
		for (const token of [null, 'wrong', '']) {
			const res = await call('POST', '/v1/workflows/wf/run', { args: {} }, { token });
			expect(res.status).toBe(401);
			expect(res.json).toEqual({ detail: 'Invalid or missing API key' });
		}
		expect(sim.runCount('wf')).toBe(0);
		expect(sim.requests.map((entry) => entry.status)).toEqual([401, 401, 401]);
	});

	test('the log keeps the real header values, names lower-case', async () => {
		await call('GET', '/v1/browser-sessions', undefined, { headers: { 'X-Custom': 'Value' } });
		expect(sim.requests[0].headers['x-witrium-key']).toBe(sim.token);
		expect(sim.requests[0].headers['x-custom']).toBe('Value');
	});
});

describe('routing', () => {
	test('an unknown path is FastAPI’s 404, a known path with another method a 405', async () => {
		const unknown = await call('GET', '/v1/nothing-here');
		expect(unknown.status).toBe(404);
		expect(unknown.json).toEqual({ detail: 'Not Found' });

		const wrongMethod = await call('GET', '/v1/workflows/wf/run');
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.json).toEqual({ detail: 'Method Not Allowed' });
		expect(wrongMethod.headers.get('allow')).toBe('POST');
		expect(sim.requests.map((entry) => entry.endpoint)).toEqual([null, null]);
	});

	test.each([
		['POST', '/v1/workflows/nope/run', 'Workflow nope not found'],
		['POST', '/v1/talents/nope/run', 'Talent nope not found'],
		['GET', '/v1/runs/nope/results', 'Run nope not found'],
		['POST', '/v1/runs/nope/cancel', 'Run nope not found'],
		['GET', '/v1/browser-sessions/nope', 'Browser session nope not found'],
		['POST', '/v1/browser-sessions/nope', 'Browser session nope not found'],
		['DELETE', '/v1/browser-sessions/nope?force=true', 'Browser session nope not found'],
	])('%s %s with an unknown id is a 404', async (method, path, detail) => {
		const res = await call(method, path);
		expect(res.status).toBe(404);
		expect(res.json).toEqual({ detail });
	});

	test('a run with an unknown session is a 404 and starts nothing', async () => {
		const res = await call('POST', '/v1/workflows/wf/run', { browser_session_id: 'nope' });
		expect(res.status).toBe(404);
		expect(res.json).toEqual({ detail: 'Browser session nope not found' });
		expect(sim.runCount('wf')).toBe(0);
	});

	test('path ids are percent-decoded', async () => {
		const res = await call('POST', `/v1/workflows/${encodeURIComponent('wf with space')}/run`);
		expect(res.status).toBe(200);
		expect(res.json.workflow_id).toBe('wf with space');
	});
});

describe('request bodies', () => {
	test('an unknown field is extra_forbidden, logged as invalid, and starts nothing', async () => {
		const res = await call('POST', '/v1/workflows/wf/run', { args: {}, arguments: { a: 1 } });
		expect(res.status).toBe(422);
		expect(res.json).toEqual({
			detail: [
				{ type: 'extra_forbidden', loc: ['body', 'arguments'], msg: 'Extra inputs are not permitted', input: { a: 1 } },
			],
		});
		expect(sim.requests[0].invalid).toBe('extra_forbidden at body.arguments');
		expect(sim.runCount('wf')).toBe(0);
	});

	test.each([
		['an object', { nested: true }],
		['an array', [1, 2]],
		['a boolean', true],
		['null', null],
	])('an args value that is %s is a 422', async (_label, value) => {
		const res = await call('POST', '/v1/workflows/wf/run', { args: { name: 'ok', bad: value } });
		expect(res.status).toBe(422);
		expect(res.json.detail.map((issue: { loc: unknown[] }) => issue.loc)).toEqual([
			['body', 'args', 'bad', 'str'],
			['body', 'args', 'bad', 'float'],
		]);
		expect(sim.runCount('wf')).toBe(0);
	});

	test('string and number args are accepted and kept as sent', async () => {
		const res = await call('POST', '/v1/workflows/wf/run', { args: { name: 'Ada', count: 3, ratio: 0.5 } });
		expect(res.status).toBe(200);
		expect(sim.runs()[0].args).toEqual({ name: 'Ada', count: 3, ratio: 0.5 });
		expect(sim.requests[0].invalid).toBeUndefined();
	});

	test('a body that is not JSON is FastAPI’s json_invalid list', async () => {
		const res = await call('POST', '/v1/workflows/wf/run', undefined, {
			rawBody: 'args=1',
			headers: { 'Content-Type': 'application/json' },
		});
		expect(res.status).toBe(422);
		expect(res.json).toEqual({ detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }] });
		expect(sim.requests[0].body).toBe('args=1');
		expect(sim.requests[0].invalid).toMatch(/^json_invalid/);
	});

	test('a JSON body without the JSON content type is refused', async () => {
		const res = await call('POST', '/v1/workflows/wf/run', undefined, {
			rawBody: '{"args":{}}',
			headers: { 'Content-Type': 'text/plain' },
		});
		expect(res.status).toBe(422);
		expect(res.json.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
		expect(sim.runCount('wf')).toBe(0);
	});

	test('a body that is JSON but not an object is refused', async () => {
		const res = await call('POST', '/v1/browser-sessions', ['omega']);
		expect(res.status).toBe(422);
		expect(res.json.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
	});

	test('no body, or an empty object, is fine where every field is optional', async () => {
		expect((await call('POST', '/v1/workflows/wf/run')).status).toBe(200);
		expect((await call('POST', '/v1/workflows/wf/run', {})).status).toBe(200);
		expect((await call('POST', '/v1/talents/talent/run')).status).toBe(200);
		expect((await call('POST', '/v1/browser-sessions')).status).toBe(200);
		expect(sim.requests.every((entry) => entry.invalid === undefined)).toBe(true);
	});

	test.each([
		['use_states not a list', { use_states: 'login' }, 'list_type', ['body', 'use_states']],
		['use_states item not a string', { use_states: [1] }, 'string_type', ['body', 'use_states', 0]],
		['a boolean sent as a string', { record_session: 'true' }, 'bool_type', ['body', 'record_session']],
		['a session id that is a number', { browser_session_id: 7 }, 'string_type', ['body', 'browser_session_id']],
		['files not a list', { files: { filename: 'a', data: '' } }, 'list_type', ['body', 'files']],
		['a file without data', { files: [{ filename: 'a.txt' }] }, 'missing', ['body', 'files', 0, 'data']],
		['a file with data not base64', { files: [{ filename: 'a', data: 'not base64!' }] }, 'base64_decode', ['body', 'files', 0, 'data']],
		['a file with an extra field', { files: [{ filename: 'a', data: '', mime: 'x' }] }, 'extra_forbidden', ['body', 'files', 0, 'mime']],
	])('%s is a 422', async (_label, body, type, loc) => {
		const res = await call('POST', '/v1/workflows/wf/run', body);
		expect(res.status).toBe(422);
		expect(res.json.detail[0]).toMatchObject({ type, loc });
		expect(sim.runCount('wf')).toBe(0);
	});

	test('talent, session and close bodies are checked against their own fields', async () => {
		expect((await call('POST', '/v1/talents/talent/run', { no_intelligence: true })).json.detail[0].type).toBe(
			'extra_forbidden',
		);
		expect((await call('POST', '/v1/browser-sessions', { use_proxy: 'yes' })).json.detail[0].type).toBe('bool_type');
		const session = (await call('POST', '/v1/browser-sessions')).json;
		const close = await call('POST', `/v1/browser-sessions/${session.uuid}`, { force: 1 });
		expect(close.status).toBe(422);
		expect(close.json.detail[0]).toMatchObject({ type: 'bool_type', loc: ['body', 'force'] });
		const legacy = await call('DELETE', `/v1/browser-sessions/${session.uuid}?force=maybe`);
		expect(legacy.status).toBe(422);
		expect(legacy.json.detail[0]).toMatchObject({ type: 'bool_parsing', loc: ['query', 'force'] });
	});

	test('valid files are accepted and recorded on the run', async () => {
		const data = Buffer.from('hello').toString('base64');
		const res = await call('POST', '/v1/workflows/wf/run', { files: [{ filename: 'a.txt', data }] });
		expect(res.status).toBe(200);
		expect(sim.runs()[0].files).toEqual([{ filename: 'a.txt', data }]);
	});

	test('a top-level null is tolerated as "not set" but noted', async () => {
		const res = await call('POST', '/v1/workflows/wf/run', { preserve_state: null });
		expect(res.status).toBe(200);
		expect(sim.runs()[0].preserveState).toBeNull();
		expect(sim.requests[0].invalid).toBeUndefined();
		expect(sim.requests[0].notes).toEqual(['null_field at body.preserve_state']);
	});
});
