// A server child process (n8n start, an n8n worker, Redis) on ports from the allocator: up only
// once THIS child, still running, prints its ready line; a port taken meanwhile is retried.
import { once } from 'node:events';
import fs from 'node:fs';
import { log } from './process.mjs';

function readFile(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

const tail = (text, lines = 40) => text.split('\n').slice(-lines).join('\n');

/** The ports a log says could not be bound ("port 5678 is already in use", Redis' "bind: Address already in use"). */
function portsInUse(text) {
	const named = [...text.matchAll(/\b[Pp]ort (\d+) is already in use/g)].map((m) => Number(m[1]));
	const redis = [...text.matchAll(/listening socket [^\s:]*:(\d+): bind: Address already in use/g)].map((m) => Number(m[1]));
	const found = [...named, ...redis];
	return found.length || !/EADDRINUSE|Address already in use/.test(text) ? found : [NaN]; // in use, port unnamed
}

/** Resolves with the first match of `ready` in `logFile`, or null if `child` exits first or `timeoutMs` passes. */
function waitForLine(logFile, ready, child, timeoutMs) {
	return new Promise((resolve) => {
		let watcher;
		const finish = (value) => {
			clearInterval(interval);
			clearTimeout(timer);
			watcher?.close();
			child.off('exit', onExit);
			resolve(value);
		};
		const check = () => {
			const match = ready.exec(readFile(logFile));
			if (match) finish(match);
		};
		const onExit = () => {
			check();
			finish(null);
		};
		child.once('exit', onExit);
		try {
			watcher = fs.watch(logFile, check); // each write to the log
		} catch {
			/* no inotify: the interval below still sees it */
		}
		const interval = setInterval(check, 500);
		const timer = setTimeout(() => finish(null), timeoutMs);
		check();
	});
}

/**
 * Starts `spawn(ports, attempt)` -> {child, logFile} until it prints `ready` (and `check(match,
 * ports)` holds). `ports`: env name -> a fixed port, or a function giving a lease
 * ({port, release}; see scripts/ports.mjs). When the child exits because a port was in use, a
 * leased one is replaced and the start retried (`attempts` in all); a fixed one is an error.
 * Resolves {child, logFile, log(), ports, exited(), stop(), startSeconds}; leases are released
 * by stop().
 */
export async function startServerProcess({ what, ports, spawn, ready, check = () => true, timeoutMs = 180000, attempts = 5 }) {
	const t0 = Date.now();
	for (let attempt = 1; ; attempt++) {
		const leases = [];
		const values = {};
		for (const [name, source] of Object.entries(ports)) {
			if (typeof source === 'function') {
				const lease = await source();
				leases.push(lease);
				values[name] = lease.port;
			} else values[name] = source;
		}
		const releaseAll = () => leases.forEach((l) => l.release());
		const { child, logFile } = spawn(values, attempt);
		let exited = null;
		const exit = once(child, 'exit').then(
			([code, signal]) => (exited = { code, signal }),
			(error) => (exited = { code: null, signal: error.message }), // could not even spawn
		);
		const stop = async ({ timeoutMs: stopMs = 20000 } = {}) => {
			if (!exited) {
				child.kill('SIGTERM');
				const killer = setTimeout(() => child.kill('SIGKILL'), stopMs);
				await exit;
				clearTimeout(killer);
			}
			releaseAll();
			return exited;
		};
		const match = await waitForLine(logFile, ready, child, timeoutMs);
		if (match && !exited && check(match, values)) {
			return { child, logFile, log: () => readFile(logFile), ports: values, exited: () => exited, stop, startSeconds: (Date.now() - t0) / 1000 };
		}
		await stop();
		const text = readFile(logFile);
		if (match && !exited) throw new Error(`${what} says it is ready as "${match[0].trim()}", not on the ports it was given (${JSON.stringify(values)}); log ${logFile}`);
		if (!exited) throw new Error(`${what} did not get ready within ${timeoutMs / 1000} s (log ${logFile}):\n${tail(text)}`);
		const inUse = portsInUse(text);
		const fixed = Object.entries(values).filter(([name, port]) => typeof ports[name] !== 'function' && (inUse.includes(port) || Number.isNaN(inUse[0])));
		if (inUse.length && fixed.length === 0 && attempt < attempts) {
			log(`${what}: port ${inUse.join(', ')} was taken by another process before it could bind; retrying on other ports`);
			continue;
		}
		const hint = inUse.length ? ` Port ${fixed.map(([, p]) => p).join(', ') || inUse.join(', ')} is in use by another process: stop it or choose another port.` : '';
		throw new Error(`${what} exited (${exited.code ?? exited.signal}) before it was ready.${hint} Log ${logFile}:\n${tail(text)}`);
	}
}
