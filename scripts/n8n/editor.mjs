// The editor: `n8n start` on a port, ready when it answers.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { n8nPaths } from './paths.mjs';
import { freePort, n8nEnv } from './commands.mjs';

async function sleep(ms) {
	await new Promise((r) => setTimeout(r, ms));
}

async function httpOk(url, timeoutMs = 2000) {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
		await res.arrayBuffer();
		return res.ok;
	} catch {
		return false;
	}
}

/**
 * `n8n start` on `port`; resolves once /healthz and the REST API answer.
 * Returns {baseUrl, port, child, logFile, log(), stop()}.
 */
export async function startEditor(line, userFolder, port = 5678, { env: extraEnv = {}, timeoutMs = 180000, listenAddress } = {}) {
	const p = n8nPaths(line);
	if (!fs.existsSync(p.n8nMarker)) throw new Error(`n8n line ${line} is not installed: call ensureN8n('${line}') first`);
	const logDir = path.join(userFolder, 'logs');
	await fsp.mkdir(logDir, { recursive: true });
	const logFile = path.join(logDir, `${Date.now()}-start.log`);
	const env = n8nEnv(userFolder, line, {
		N8N_PORT: String(port),
		N8N_HOST: 'localhost',
		N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...(listenAddress ? { N8N_LISTEN_ADDRESS: listenAddress } : {}),
		...extraEnv,
	});
	const fd = fs.openSync(logFile, 'w');
	const child = spawn(p.nodeBin, [p.n8nBin, 'start'], { cwd: userFolder, env, stdio: ['ignore', fd, fd] });
	fs.closeSync(fd);
	let exited = null;
	const exitPromise = once(child, 'exit').then(([code, signal]) => {
		exited = { code, signal };
		return exited;
	});
	const readLog = () => {
		try {
			return fs.readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};
	const baseUrl = `http://127.0.0.1:${port}`;
	const handle = {
		line: String(line),
		port,
		baseUrl,
		child,
		logFile,
		log: readLog,
		exited: () => exited,
		async stop({ timeoutMs: stopMs = 20000 } = {}) {
			if (exited) return exited;
			child.kill('SIGTERM');
			const t = setTimeout(() => child.kill('SIGKILL'), stopMs);
			const r = await exitPromise;
			clearTimeout(t);
			return r;
		},
	};
	const t0 = Date.now();
	// /healthz answers as soon as the HTTP server listens; the REST routes come a little
	// later, so wait for /rest/settings (public) too.
	while (!(await httpOk(`${baseUrl}/healthz`)) || !(await httpOk(`${baseUrl}/rest/settings`))) {
		if (exited) {
			throw new Error(`n8n start exited (${exited.code ?? exited.signal}) before it answered:\n${readLog().split('\n').slice(-40).join('\n')}`);
		}
		if (Date.now() - t0 > timeoutMs) {
			await handle.stop();
			throw new Error(`n8n start did not answer on ${baseUrl} within ${timeoutMs / 1000} s:\n${readLog().split('\n').slice(-40).join('\n')}`);
		}
		await sleep(250);
	}
	handle.startSeconds = (Date.now() - t0) / 1000;
	return handle;
}
