/** Error bodies in all their forms become one readable WitriumApiError, never carrying the token. */
import { WitriumApiError, WitriumClient } from '../../src/client';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { EDITION } from './edition';
import { TOKEN, assertNoTokenLeak, failure, makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let baseUrl: string;
let client: WitriumClient;

beforeAll(async () => {
	({ sim, baseUrl } = await startSimulator());
	client = makeClient(baseUrl, { maxRetries: 0 });
});
beforeEach(() => {
	sim.reset();
	sim.define({ workflows: [{ id: 'wf-1', steps: [{ instruction: 'Go', durationMs: 50 }] }] });
});
afterAll(async () => {
	assertNoTokenLeak();
	await sim.stop();
	await closeAllDispatchers();
});

test('{"detail": "..."} gives status, endpoint, detail and a plain message', async () => {
	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, detail: 'Run not found' });
	const err = await failure<WitriumApiError>(client.getResults('x'));
	expect(err).toBeInstanceOf(WitriumApiError);
	expect(err.message).toBe('Witrium API error 404 on GET /v1/runs/x/results: Run not found');
	expect(err.details).toEqual({
		kind: 'http',
		status: 404,
		endpoint: 'GET /v1/runs/x/results',
		detail: 'Run not found',
		retryable: false,
		notFound: true,
	});
	expect(err.mayHaveStarted).toBe(false);
});

test("the service's own 404 for an unknown run is a non-retryable http error", async () => {
	const err = await failure<WitriumApiError>(client.getResults('00000000-0000-0000-0000-000000000000'));
	expect(err).toMatchObject({ kind: 'http', status: 404, retryable: false });
	expect(err.message).toMatch(/^Witrium API error 404 on GET \/v1\/runs\/00000000-0000-0000-0000-000000000000\/results: \S/);
});

test('a FastAPI validation list is flattened to "loc: msg"', async () => {
	const err = await failure<WitriumApiError>(
		client.runWorkflow('wf-1', { args: { x: { nested: true } as unknown as string } }),
	);
	expect(err).toMatchObject({ kind: 'http', status: 422, retryable: false, mayHaveStarted: false });
	expect(err.detail).toContain('body.args.x');
	expect(err.detail).toContain('Input should be a valid string');
	expect(err.message).toContain('Witrium API error 422 on POST /v1/workflows/wf-1/run: body.args.x');
	expect(sim.runCount('wf-1')).toBe(0);
});

test('a validation list with several entries is joined on one line', async () => {
	sim.injectFault({
		endpoint: 'createSession',
		kind: 'status',
		status: 422,
		body: JSON.stringify({
			detail: [
				{ loc: ['body', 'use_proxy'], msg: 'Input should be a valid boolean', type: 'bool_type' },
				{ loc: ['body', 'use_states', 0], msg: 'Input should be a valid string', type: 'string_type' },
			],
		}),
	});
	const err = await failure<WitriumApiError>(client.createSession());
	expect(err.detail).toBe('body.use_proxy: Input should be a valid boolean; body.use_states.0: Input should be a valid string');
});

test("a proxy's HTML page becomes a short, tag-free excerpt", async () => {
	const html =
		'<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>\n' +
		'<body>\n  <center><h1>502   Bad Gateway</h1></center>\n<hr><center>nginx/1.25.3</center>\n' +
		`<p>${'padding '.repeat(100)}</p></body></html>`;
	sim.injectFault({ endpoint: 'listSessions', kind: 'status', status: 502, body: html });
	const err = await failure<WitriumApiError>(client.listSessions());
	expect(err).toMatchObject({ kind: 'http', status: 502, retryable: true, endpoint: 'GET /v1/browser-sessions' });
	expect(err.detail!.startsWith('502 Bad Gateway 502 Bad Gateway nginx/1.25.3 padding')).toBe(true);
	expect(err.detail!.length).toBeLessThanOrEqual(200);
	expect(err.detail).not.toMatch(/[<>]|color:red|\s{2}/);
	expect(err.message).toContain('Witrium API error 502 on GET /v1/browser-sessions: 502 Bad Gateway');
});

test('401 says to check the API token, and never shows it', async () => {
	const wrong = makeClient(baseUrl, { apiToken: `${TOKEN}-wrong`, maxRetries: 0 });
	const err = await failure<WitriumApiError>(wrong.listSessions());
	expect(err).toMatchObject({ kind: 'http', status: 401, retryable: false });
	expect(err.message).toMatch(/^Witrium API error 401 on GET \/v1\/browser-sessions: .+check the API token in the Witrium credential$/);
	expect(err.message).not.toContain('-wrong');
});

test('403 also points at the credential', async () => {
	sim.injectFault({ endpoint: 'getSession', kind: 'status', status: 403, detail: 'Not allowed' });
	const err = await failure<WitriumApiError>(client.getSession('s-1'));
	expect(err.message).toBe('Witrium API error 403 on GET /v1/browser-sessions/s-1: Not allowed — check the API token in the Witrium credential');
});

test('a body that echoes the token is scrubbed', async () => {
	sim.injectFault({ endpoint: 'getSession', kind: 'status', status: 400, detail: `Bad key ${TOKEN} (encoded ${encodeURIComponent(TOKEN)})` });
	const err = await failure<WitriumApiError>(client.getSession('s-1'));
	expect(err.detail).toBe('Bad key *** (encoded ***)');
	expect(err.message).toContain('Bad key ***');
});

test('a 2xx whose body is not JSON is an invalid-response error', async () => {
	sim.injectFault({ endpoint: 'listSessions', kind: 'malformed' });
	const err = await failure<WitriumApiError>(client.listSessions());
	expect(err).toMatchObject({ kind: 'invalid-response', endpoint: 'GET /v1/browser-sessions' });
	expect(err.message).toMatch(/^Witrium API returned an invalid response on GET \/v1\/browser-sessions/);
});

test('bad input is refused before anything is sent', async () => {
	const before = sim.requests.length;
	await expect(client.getResults('  ')).rejects.toThrow('A run id is required');
	expect(() => makeClient(baseUrl, { apiToken: ' ' })).toThrow(/API token is missing/);
	expect(() => makeClient('ftp://example.com')).toThrow(/is not an http\(s\) URL/);
	expect(() => makeClient(`http://user:${encodeURIComponent(TOKEN)}@example.com`)).toThrow(/must not contain credentials/);
	expect(sim.requests.length).toBe(before);
	try {
		makeClient(`http://user:${encodeURIComponent(TOKEN)}@example.com`);
	} catch (err) {
		expect(String(err)).not.toContain(TOKEN);
	}
});

test('a token with a line break fails clearly, once, without a retry or the token', async () => {
	const broken = makeClient(baseUrl, { apiToken: `${TOKEN}\nX-Other: 1`, maxRetries: 3 });
	const before = sim.requests.length;
	const err = await failure<WitriumApiError>(broken.runWorkflow('wf-1'));
	expect(err.message).toContain('check the API token in the Witrium credential');
	if (EDITION === 'self-hosted') {
		// undici refuses to build the request: nothing is sent.
		expect(err).toMatchObject({ kind: 'network', retryable: false, mayHaveStarted: false });
		expect(sim.requests.length).toBe(before);
	} else {
		// n8n's HTTP stack (axios) drops the line break, so no header is injected; Witrium refuses the key it gets.
		expect(err).toMatchObject({ kind: 'http', status: 401, retryable: false, mayHaveStarted: false });
		expect(sim.requests.slice(before).map((r) => r.status)).toEqual([401]);
	}
});

test('a Base URL that is not a URL (an API key pasted there) is never echoed, and the error says what to fix', () => {
	const key = 'wit_live_7Hq2pX9sKdQ';
	for (const pasted of [key, ` ${key} `, `wit:${key}`, `https//${key}`, `api.witrium.com/${key}`, `ftp://${key}`]) {
		let message = '';
		try {
			makeClient(pasted);
		} catch (err) {
			message = String(err);
		}
		expect(message).toMatch(/^WitriumError: The Base URL in the Witrium API credential is not an http\(s\) URL/);
		expect(message).toContain('https://api.witrium.com');
		expect(message).not.toContain(key);
		expect(message).not.toContain('wit:');
	}
});
