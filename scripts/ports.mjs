// One port allocator for everything here that starts a server on a port it must choose before
// the server binds (n8n's editor, task broker and worker health checks, Redis, Postgres, test
// servers): safe across processes on one machine.
//
//   const lease = await reservePort();   // {port, release()}
//   ...start the server on lease.port...; lease.release() once it is stopped
//
// Why not "bind port 0, read it, close it, hand it out": the kernel hands the same ephemeral
// ports to every other process (their own probes, their outgoing connections), so between the
// probe and the real bind another process can take it, and a test then talks to a foreign server.
// Here a port is (1) outside the kernel's ephemeral range, so the kernel never hands it out,
// (2) reserved by a lock file `<dir>/<port>-<owner pid>` (see lock(); a lock whose owner died
// does not count), and (3) free right now (a bind to it succeeds).
// Servers we own in-process bind port 0 instead and keep it: they need none of this.
//
// Env: WITRIUM_PORT_RANGE ("20000-32767"), WITRIUM_PORTS_DIR (default <tmp>/witrium-ports).
// Plain Node ESM, node builtins only.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Ports below the kernel's ephemeral range (32768 on Linux by default), from 20000. */
function defaultRange() {
	let ephemeralLow = 32768;
	try {
		ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
	} catch {
		/* not Linux: keep the usual value */
	}
	const low = 20000;
	return ephemeralLow - low >= 1000 ? [low, ephemeralLow - 1] : [low, 32767];
}

function parseRange(text) {
	const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
	if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) {
		throw new Error(`WITRIUM_PORT_RANGE must look like "20000-32767", not "${text}"`);
	}
	return [Number(m[1]), Number(m[2])];
}

export function portsDir() {
	return path.resolve(process.env.WITRIUM_PORTS_DIR || path.join(os.tmpdir(), 'witrium-ports'));
}

/** Whether a process of this pid still runs (EPERM: it does, as another user's). */
export function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** Lock files this process holds (removed when it exits, however it exits short of SIGKILL). */
const held = new Map(); // port -> lock file
process.once('exit', () => {
	for (const file of held.values()) fs.rmSync(file, { force: true });
});

/**
 * Reserves `port` in `dir`: writes `<port>-<our pid>`, then looks for another live process's
 * `<port>-<pid>`. Writing before looking means two processes racing for one port cannot both
 * win (the later looker sees the other's file); at worst both back off. Files of dead
 * processes are removed on the way. Returns our lock file, or null.
 */
function lock(dir, port) {
	if (held.has(port)) return null;
	const mine = path.join(dir, `${port}-${process.pid}`);
	fs.writeFileSync(mine, '');
	for (const name of fs.readdirSync(dir)) {
		const [p, pid] = name.split('-').map(Number);
		if (p !== port || pid === process.pid) continue;
		if (pidAlive(pid)) {
			fs.rmSync(mine, { force: true });
			return null;
		}
		fs.rmSync(path.join(dir, name), { force: true }); // its owner died
	}
	return mine;
}

/** Whether a server can listen on `port` now, on every address (IPv6 and IPv4 wildcard). */
function bindable(port) {
	const attempt = (host) =>
		new Promise((resolve) => {
			const server = net.createServer();
			server.unref();
			server.once('error', (e) => resolve(e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL' ? 'no-address' : false));
			server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
		});
	return attempt('::').then((v6) => (v6 === 'no-address' ? attempt('0.0.0.0') : v6 === true));
}

/**
 * A port no other process of ours holds and nothing listens on; it stays ours until
 * `release()` or until this process exits. `range`/`dir` override the environment (tests).
 */
export async function reservePort({ range, dir } = {}) {
	const [low, high] = range ?? (process.env.WITRIUM_PORT_RANGE ? parseRange(process.env.WITRIUM_PORT_RANGE) : defaultRange());
	const lockDir = dir ?? portsDir();
	fs.mkdirSync(lockDir, { recursive: true });
	const size = high - low + 1;
	const start = Math.floor(Math.random() * size); // processes starting at once spread out
	for (let i = 0; i < size; i++) {
		const port = low + ((start + i) % size);
		const file = lock(lockDir, port);
		if (!file) continue;
		held.set(port, file);
		const release = () => {
			if (held.get(port) !== file) return;
			held.delete(port);
			fs.rmSync(file, { force: true });
		};
		if (await bindable(port)) return { port, release };
		release(); // something that ignores our locks listens there: skip it
	}
	throw new Error(`no free port in ${low}-${high} (locks in ${lockDir}); set WITRIUM_PORT_RANGE to a wider range`);
}

/** Whether a process's output says a server of it could not bind its port. */
export function saysPortInUse(text) {
	return /EADDRINUSE|port \d+ is already in use|Address already in use/i.test(text);
}
