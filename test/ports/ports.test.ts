/**
 * The port allocator every server start uses (scripts/ports.mjs): a port is handed to one
 * process at a time, across processes, and never one something already listens on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

interface PortLease {
	port: number;
	release(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { reservePort } = require('../../scripts/ports.mjs') as { reservePort(opts: { range: [number, number]; dir: string }): Promise<PortLease> };

// Below the default range (20000-) so the test never probes a port a real start has reserved.
const LOW = 17000;
let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'witrium-ports-test-'));
});
afterEach(async () => {
	await Promise.all(children.splice(0).map(async (child) => {
		if (child.exitCode !== null || child.signalCode) return;
		child.kill('SIGKILL');
		await once(child, 'exit');
	}));
	fs.rmSync(dir, { recursive: true, force: true });
});

/** Another process that reserves `count` ports of `range` and holds them until killed. */
async function holder(count: number, range: [number, number]): Promise<{ child: ChildProcess; ports: number[] }> {
	const child = spawn(process.execPath, [path.join(__dirname, 'holder.mjs'), String(count), range.join('-'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
	children.push(child);
	const [line] = (await once(readline.createInterface({ input: child.stdout! }), 'line')) as [string];
	return { child, ports: (JSON.parse(line) as { ports: number[] }).ports };
}

async function listen(port: number): Promise<http.Server> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return server;
}

test('two processes reserving at once never hold the same port', async () => {
	const range: [number, number] = [LOW, LOW + 99];
	const [a, b] = await Promise.all([holder(40, range), holder(40, range)]);
	expect(new Set(a.ports).size).toBe(40);
	expect(new Set(b.ports).size).toBe(40);
	expect(a.ports.filter((port) => b.ports.includes(port))).toEqual([]);
	// And this process, a third, gets none of theirs while they hold them.
	const mine = await Promise.all(Array.from({ length: 10 }, () => reservePort({ range, dir })));
	expect(mine.map((l) => l.port).filter((port) => a.ports.includes(port) || b.ports.includes(port))).toEqual([]);
});

test('a port something listens on is skipped, and offered again once it is free', async () => {
	const { port } = await reservePort({ range: [LOW + 100, LOW + 199], dir }).then((lease) => (lease.release(), lease));
	const foreign = await listen(port); // a server that knows nothing of our locks
	await expect(reservePort({ range: [port, port], dir })).rejects.toThrow(`no free port in ${port}-${port}`);
	await new Promise((resolve) => foreign.close(resolve));
	expect((await reservePort({ range: [port, port], dir })).port).toBe(port);
});

test('a port is held until released or until its process dies', async () => {
	const range: [number, number] = [LOW + 200, LOW + 299];
	const other = await holder(1, range);
	const [port] = other.ports;
	await expect(reservePort({ range: [port, port], dir })).rejects.toThrow('no free port');
	other.child.kill('SIGKILL'); // no clean-up: its lock file stays behind
	await once(other.child, 'exit');
	expect(fs.readdirSync(dir)).toContain(`${port}-${other.child.pid}`);
	const lease = await reservePort({ range: [port, port], dir });
	expect(lease.port).toBe(port);
	await expect(reservePort({ range: [port, port], dir })).rejects.toThrow('no free port'); // ours now, also within one process
	lease.release();
	expect((await reservePort({ range: [port, port], dir })).port).toBe(port);
});
