/**
 * The package in a REAL n8n, installed as a user's community-package install leaves it:
 * n8n loads its node types and its credential, the stock HTTP Request node can use the
 * "Witrium API" credential (the header reaches the service), and the credential dialog's
 * "Test" button tells a good token from a bad one.
 */
import type { WitriumSimulator } from '../../simulator';
import {
	CREDENTIAL_TYPE,
	LINES,
	N8nUnderTest,
	PACKAGE_NODE_TYPES,
	expectNodeTypesLoaded,
	linearWorkflow,
	node,
	startSimulator,
	tail,
	witriumCredential,
} from './support/n8n';

const HTTP_WORKFLOW_ID = 'wfE2eHttpCred01';
const BAD_HTTP_WORKFLOW_ID = 'wfE2eHttpCred02';

function httpRequestWithCredential(name: string, url: string, credentialId: string, credentialName: string) {
	return node(
		name,
		'n8n-nodes-base.httpRequest',
		{
			url,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: CREDENTIAL_TYPE,
			options: {},
		},
		{ typeVersion: 4.2, credentials: { [CREDENTIAL_TYPE]: { id: credentialId, name: credentialName } } },
	);
}

describe.each(LINES)('n8n %s.x with the packed package', (line) => {
	let n8n: N8nUnderTest;
	let simulator: WitriumSimulator;
	let simUrl: string;
	let token: string;

	beforeAll(async () => {
		({ simulator, url: simUrl, token } = await startSimulator());
		n8n = await N8nUnderTest.create(line);
		await n8n.importCredentials([
			witriumCredential(simUrl, token),
			witriumCredential(simUrl, 'not-the-token', { id: 'witriumCredBad01', name: 'Witrium API (wrong token)' }),
		]);
		await n8n.importWorkflows([
			linearWorkflow(HTTP_WORKFLOW_ID, 'e2e: HTTP Request with the Witrium credential', [
				httpRequestWithCredential('List Sessions', `${simUrl}/v1/browser-sessions`, 'witriumCredential01', 'Witrium API'),
			]),
			linearWorkflow(BAD_HTTP_WORKFLOW_ID, 'e2e: HTTP Request with a wrong token', [
				httpRequestWithCredential('List Sessions', `${simUrl}/v1/browser-sessions`, 'witriumCredBad01', 'Witrium API (wrong token)'),
			]),
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await simulator?.stop();
	});

	test('the stock HTTP Request node authenticates with the Witrium API credential', async () => {
		simulator.reset();
		const run = await n8n.execute(HTTP_WORKFLOW_ID);
		if (run.exitCode !== 0) throw new Error(`n8n execute failed (exit ${run.exitCode}):\n${tail(run.log)}`);

		const sessionRequests = simulator.requests.filter((r) => r.path === '/v1/browser-sessions');
		expect(sessionRequests).toHaveLength(1);
		expect(sessionRequests[0].method).toBe('GET');
		expect(sessionRequests[0].headers['x-witrium-key']).toBe(token);
		expect(sessionRequests[0].status).toBe(200);
		const [item] = run.items('List Sessions');
		expect(item).toEqual(expect.objectContaining({ sessions: expect.any(Array) }));
	});

	test('a wrong token fails the node with an authorization error, not a crash', async () => {
		simulator.reset();
		const run = await n8n.execute(BAD_HTTP_WORKFLOW_ID);

		expect(run.exitCode).toBe(1);
		expect(simulator.requests.map((r) => r.headers['x-witrium-key'])).toEqual(['not-the-token']);
		const error = run.error('List Sessions');
		expect(error).toEqual(expect.objectContaining({ name: 'NodeApiError', httpCode: '401' }));
		expect(JSON.stringify(error)).toContain('Invalid or missing API key'); // the service's detail reaches the user
	});

	describe('in the editor', () => {
		beforeAll(async () => {
			await n8n.startEditor();
		});

		afterAll(async () => {
			await n8n.stopEditor();
		});

		test('offers every node type of the package and the Witrium API credential', async () => {
			await expectNodeTypesLoaded(n8n, PACKAGE_NODE_TYPES);
			expect(await n8n.credentialTypes()).toContain(CREDENTIAL_TYPE);
		});

		test('"Test" in the credential dialog passes with the right token', async () => {
			simulator.reset();
			const result = await n8n.testCredential({ type: CREDENTIAL_TYPE, data: { apiToken: token, baseUrl: simUrl } });

			expect(result).toEqual({ status: 'OK', message: expect.any(String) });
			const [request] = simulator.requests;
			expect(request).toEqual(expect.objectContaining({ method: 'GET', path: '/v1/browser-sessions', status: 200 }));
			expect(request.headers['x-witrium-key']).toBe(token);
		});

		test('"Test" in the credential dialog fails with a wrong token and says why', async () => {
			simulator.reset();
			const result = await n8n.testCredential({ type: CREDENTIAL_TYPE, data: { apiToken: 'wrong-token', baseUrl: `${simUrl}/` } });

			expect(result.status).toBe('Error');
			// 2.x shows the HTTP reason ("Unauthorized"), 1.x "Authorization failed - please check your
			// credentials"; a `rules` entry in the credential test would replace both.
			expect(result.message).toMatch(/unauthori[sz]ed|authori[sz]ation failed|invalid|token|key/i);
			// (n8n 2.40 sends a failing test request twice: the count is not the point.)
			expect(simulator.requests.length).toBeGreaterThanOrEqual(1);
			for (const request of simulator.requests) {
				expect([request.path, request.status, request.headers['x-witrium-key']]).toEqual(['/v1/browser-sessions', 401, 'wrong-token']);
			}
		});

		test('"Test" on the saved credential (token shown redacted, as the dialog has it) uses the stored token', async () => {
			const session = await n8n.session();
			const saved = await session.request('GET', '/rest/credentials/witriumCredential01?includeData=true');
			expect(saved.status).toBe(200);
			const data = saved.body.data.data as { apiToken: string; baseUrl: string };
			expect(data.baseUrl).toBe(simUrl);
			expect(data.apiToken).not.toBe(token); // the editor never gets the token back

			simulator.reset();
			const result = await n8n.testCredential({ id: 'witriumCredential01', name: 'Witrium API', type: CREDENTIAL_TYPE, data });

			expect(result.status).toBe('OK');
			expect(simulator.requests.map((r) => r.headers['x-witrium-key'])).toEqual([token]);
		});
	});
});
