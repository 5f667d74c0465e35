/**
 * A started n8n is the suite's own: when another process takes the chosen editor or task-broker
 * port between the choice and n8n's bind (what turned CI red: a suite talked to a foreign
 * Express server and got `404 "Cannot GET /rest/workflows/..."`), the start notices from n8n's
 * own log and retries on other ports; with a port the caller fixed, it fails saying so.
 */
import http from 'node:http';

import { LINES, N8nUnderTest, type PortLease, n8nLib } from './support/n8n';

/** A foreign server that answers everything with 200 JSON, as a naive health check would like. */
async function foreignServer(port: number): Promise<{ requests: string[]; close(): Promise<void> }> {
	const requests: string[] = [];
	const server = http.createServer((req, res) => {
		requests.push(`${req.method} ${req.url}`);
		res.setHeader('content-type', 'application/json');
		res.end('{"data":{}}');
	});
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return { requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(LINES)('n8n %s.x start', (line) => {
	let n8n: N8nUnderTest;
	const foreign: Array<Awaited<ReturnType<typeof foreignServer>>> = [];

	beforeAll(async () => {
		n8n = await N8nUnderTest.create(line);
	});
	afterAll(async () => {
		await n8n?.dispose();
		await Promise.all(foreign.map((f) => f.close()));
	});

	test('ports taken after they were chosen: n8n starts on others, and only n8n is spoken to', async () => {
		// The allocator's first answer is a port a foreign server then takes (the editor's on the
		// first attempt, the task broker's on the second): the race the allocator cannot see.
		const taken: number[] = [];
		let calls = 0;
		const reserve = async (): Promise<PortLease> => {
			const lease = await n8nLib.reservePort();
			calls += 1;
			if (calls === 1 || calls === 4) {
				foreign.push(await foreignServer(lease.port));
				taken.push(lease.port);
			}
			return lease;
		};
		const editor = await n8nLib.startEditor(line, n8n.userFolder, undefined, {
			reserve,
			listenAddress: '127.0.0.1',
			env: { N8N_RUNNERS_ENABLED: 'true' }, // 1.x starts no task broker by default
		});
		n8n.editor = editor;

		expect(calls).toBe(6); // two ports for each of three attempts
		expect(taken).not.toContain(editor.port);
		expect(taken).not.toContain(editor.brokerPort);
		const attempts = (await import('node:fs')).readdirSync(`${n8n.userFolder}/logs`).filter((f) => /-start(-retry\d)?\.log$/.test(f));
		expect(attempts).toHaveLength(3);
		expect(foreign.flatMap((f) => f.requests)).toEqual([]);
		// The session below is n8n's own: its settings, and the owner logged in.
		const rest = await n8n.session();
		const settings = await rest.request('GET', '/rest/settings');
		expect(settings.status).toBe(200);
		expect(settings.body.data).toHaveProperty('userManagement');
		expect(foreign.flatMap((f) => f.requests)).toEqual([]);
	});

	test('a port the caller fixed that another process holds: a clear error, not the other server', async () => {
		await n8n.stopEditor();
		const lease = await n8nLib.reservePort();
		const other = await foreignServer(lease.port);
		foreign.push(other);
		await expect(n8nLib.startEditor(line, n8n.userFolder, lease.port, { listenAddress: '127.0.0.1' })).rejects.toThrow(
			new RegExp(`Port ${lease.port} is in use by another process`),
		);
		expect(other.requests).toEqual([]);
	});
});
