/** HTTP(S)_PROXY and NO_PROXY apply, as in n8n's own HTTP requests. */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import type { WitriumSimulator } from '../../simulator/index';
import { makeClient, startSimulator } from './helpers';

let sim: WitriumSimulator;
let baseUrl: string;
let proxy: http.Server;
let proxyUrl: string;
const tunnels: string[] = [];
const saved: Record<string, string | undefined> = {};
const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];

beforeAll(async () => {
	for (const name of PROXY_VARS) {
		saved[name] = process.env[name];
		delete process.env[name];
	}
	({ sim, baseUrl } = await startSimulator());
	// A minimal CONNECT proxy that records the targets it tunnels to.
	proxy = http.createServer((_req, res) => {
		res.statusCode = 405;
		res.end();
	});
	proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
		tunnels.push(req.url ?? '');
		const [host, port] = (req.url ?? '').split(':');
		const upstream = net.connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const name of PROXY_VARS) {
		if (saved[name] === undefined) delete process.env[name];
		else process.env[name] = saved[name];
	}
	await closeAllDispatchers();
	proxy.closeAllConnections();
	await new Promise<void>((resolve) => proxy.close(() => resolve()));
	await sim.stop();
});

test('requests go through HTTP_PROXY, and NO_PROXY bypasses it', async () => {
	const target = new URL(baseUrl).host;

	process.env.HTTP_PROXY = proxyUrl;
	await makeClient(baseUrl).listSessions();
	expect(tunnels).toEqual([target]);

	process.env.NO_PROXY = '127.0.0.1';
	await makeClient(baseUrl).listSessions();
	expect(tunnels).toEqual([target]);
	expect(sim.requests.filter((r) => r.endpoint === 'listSessions')).toHaveLength(2);

	delete process.env.HTTP_PROXY;
	delete process.env.NO_PROXY;
	await makeClient(baseUrl).listSessions();
	expect(tunnels).toEqual([target]);
});
