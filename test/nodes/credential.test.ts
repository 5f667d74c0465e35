/**
 * The credential test and the nodes read the credential the same way: the token trimmed, a
 * trailing "/" or "/v1" dropped from the Base URL, an emptied Base URL meaning the default.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { closeAllDispatchers } from '../../src/client/dispatchers';
import { EDITION } from '../client/edition';
import { runWorkflow, testCredential } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { sim } = useSimulator();

const listSessions = (credential: { apiToken: string; baseUrl: string }) =>
	runWorkflow(line([node('List', 'witriumBrowserSession', { operation: 'getAll', returnAll: true })]), { credentials: { witriumApi: credential } });

test.each([
	['a trailing slash', (url: string) => `${url}/`],
	['a trailing /v1', (url: string) => `${url}/v1`],
	['a trailing /v1/ and spaces', (url: string) => `  ${url}/v1/ `],
])('a token pasted with spaces and a Base URL with %s: the credential test and the nodes both work', async (_, shape) => {
	const credential = { apiToken: `  ${sim.token}\n`, baseUrl: shape(sim.url) };
	expect(await testCredential('witriumApi', credential)).toMatchObject({ status: 'OK' });
	expect(output(await listSessions(credential), 'List')).toEqual([]);
	expect(sim.requests.map((request) => [request.path, request.status])).toEqual([
		['/v1/browser-sessions', 200],
		['/v1/browser-sessions', 200],
	]);
});

describe('an emptied Base URL means https://api.witrium.com', () => {
	// No internet here: a proxy that records where each request was going, and refuses it.
	let proxy: http.Server;
	const targets: string[] = [];
	const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, https_proxy: process.env.https_proxy };

	beforeAll(async () => {
		proxy = http.createServer((req, res) => res.writeHead(502).end());
		proxy.on('connect', (req, socket) => {
			targets.push(req.url ?? '');
			socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
		delete process.env.https_proxy;
	});
	afterAll(async () => {
		for (const [name, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
		await closeAllDispatchers();
		await new Promise((resolve) => proxy.close(resolve));
	});

	test.each(['', '   '])('Base URL %j: the credential test and the nodes both go to api.witrium.com', async (baseUrl) => {
		targets.length = 0;
		const credential = { apiToken: sim.token, baseUrl };
		const tested = await testCredential('witriumApi', credential);
		expect(tested.status).toBe('Error');
		expect(targets).toEqual(['api.witrium.com:443']);
		const listed = await runWorkflow(line([node('Get', 'witriumBrowserSession', { operation: 'get', browserSessionId: 'abc' })]), { credentials: { witriumApi: credential } });
		// undici reports the refused tunnel as a network error naming the origin; n8n's HTTP stack
		// (the verified edition) reports the proxy's 502 as the answer.
		expect(nodeError(listed, 'Get').message).toContain(EDITION === 'self-hosted' ? 'https://api.witrium.com' : '502 Bad Gateway');
		expect(new Set(targets)).toEqual(new Set(['api.witrium.com:443']));
	}, 30_000);
});
