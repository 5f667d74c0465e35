// The editor: `n8n start` on a port, up once its own log says the editor is accessible.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { n8nPaths } from './paths.mjs';
import { n8nEnv } from './commands.mjs';
import { startServerProcess } from './server.mjs';
import { reservePort } from '../ports.mjs';

/**
 * `n8n start`; resolves once THIS child, still running, has printed "Editor is now accessible
 * via: http://localhost:<port>" (n8n prints it after every route is mounted; a foreign server
 * on the port can never pass for it). Without `port` (or 0) the port comes from the allocator
 * (scripts/ports.mjs) and a port taken meanwhile (n8n: "already in use") is retried on another;
 * a given `port` in use is an error. The task broker's port is always allocated and retried.
 * Returns {baseUrl, port, child, logFile, log(), exited(), stop()}.
 */
export async function startEditor(line, userFolder, port, { env: extraEnv = {}, timeoutMs = 180000, listenAddress, reserve = reservePort } = {}) {
	const p = n8nPaths(line);
	if (!fs.existsSync(p.n8nMarker)) throw new Error(`n8n line ${line} is not installed: call ensureN8n('${line}') first`);
	const logDir = path.join(userFolder, 'logs');
	await fsp.mkdir(logDir, { recursive: true });
	const server = await startServerProcess({
		what: 'n8n start',
		ports: { N8N_PORT: port || reserve, N8N_RUNNERS_BROKER_PORT: reserve },
		timeoutMs,
		ready: /Editor is now accessible via:\s*\n?\s*(\S+)/,
		spawn: (ports, attempt) => {
			const editorPort = ports.N8N_PORT;
			const logFile = path.join(logDir, `${Date.now()}-start${attempt > 1 ? `-retry${attempt}` : ''}.log`);
			const env = n8nEnv(userFolder, line, {
				N8N_HOST: 'localhost',
				N8N_EDITOR_BASE_URL: `http://localhost:${editorPort}/`,
				N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
				...(listenAddress ? { N8N_LISTEN_ADDRESS: listenAddress } : {}),
				...extraEnv,
				...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
			});
			const fd = fs.openSync(logFile, 'w');
			const child = spawn(p.nodeBin, [p.n8nBin, 'start'], { cwd: userFolder, env, stdio: ['ignore', fd, fd] });
			fs.closeSync(fd);
			return { child, logFile };
		},
		// The URL n8n says it serves must be on our port: else it is not the n8n we think.
		check: (match, ports) => new URL(match[1]).port === String(ports.N8N_PORT),
	});
	const editorPort = server.ports.N8N_PORT;
	return {
		line: String(line),
		port: editorPort,
		baseUrl: `http://127.0.0.1:${editorPort}`,
		brokerPort: server.ports.N8N_RUNNERS_BROKER_PORT,
		child: server.child,
		logFile: server.logFile,
		log: server.log,
		exited: server.exited,
		stop: server.stop,
		startSeconds: server.startSeconds,
	};
}
