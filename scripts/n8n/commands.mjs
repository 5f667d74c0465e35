// Running n8n's CLI for a user folder: its environment, import, execute and reading its output.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TEST_ENCRYPTION_KEY, n8nPaths } from './paths.mjs';
import { cleanEnv, pathWith } from './process.mjs';
import { reservePort, saysPortInUse } from '../ports.mjs';

/** Environment for an n8n process of `line` using `userFolder`. */
export function n8nEnv(userFolder, line = '2', extra = {}) {
	const p = n8nPaths(line);
	return cleanEnv({
		PATH: pathWith(p.nodeBinDir),
		N8N_USER_FOLDER: path.resolve(userFolder),
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info', // `n8n execute --rawOutput` prints its JSON through the logger
		N8N_LOG_OUTPUT: 'console',
		N8N_SECURE_COOKIE: 'false', // the editor is served over plain http://localhost
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		DB_TYPE: 'sqlite',
		...extra,
	});
}

/**
 * A port for a server that binds it later, reserved until this process exits (kept for callers
 * that never release; prefer reservePort() from scripts/ports.mjs and release the lease).
 */
export async function freePort() {
	return (await reservePort()).port;
}

/**
 * Run an n8n CLI command to completion (async spawn). stdout+stderr go to a log file.
 * Resolves {exitCode, signal, log, logFile, crashedAtExit}.
 *
 * n8n's CLI commands end with process.exit() while a worker thread may still run, and on
 * these machines the process then sometimes dies of SIGSEGV (exit 139) AFTER its work is
 * done and printed (seen on 2.x/Node 24 and 1.x/Node 22, 10-60 % of runs under load). If
 * `doneWhen(log)` says the work finished (true, or the exit code the output implies), such a
 * crash counts as that (`crashedAtExit: true`); else, with `retryOnCrash`, it runs once more.
 */
export async function n8nCommand(line, userFolder, args, { env: extraEnv = {}, allowFail = false, doneWhen, retryOnCrash = false } = {}) {
	const p = n8nPaths(line);
	if (!fs.existsSync(p.n8nMarker)) throw new Error(`n8n line ${line} is not installed: call ensureN8n('${line}') first`);
	const logDir = path.join(userFolder, 'logs');
	await fsp.mkdir(logDir, { recursive: true });
	let crashRetried = false;
	for (let attempt = 1; ; attempt++) {
		const outFile = path.join(logDir, `${Date.now()}-${args[0].replace(/[^\w.-]/g, '_')}${attempt > 1 ? `-retry${attempt}` : ''}.log`);
		// Every n8n process may start a task broker: give each its own port, so parallel
		// processes (a test, the dev editor) do not fight over the default 5679.
		const broker = await reservePort();
		const env = n8nEnv(userFolder, line, { N8N_RUNNERS_BROKER_PORT: String(broker.port), ...extraEnv });
		const fd = fs.openSync(outFile, 'w');
		// stdout to a FILE, not a pipe: n8n ends with process.exit(), which can cut a pipe's tail.
		const child = spawn(p.nodeBin, [p.n8nBin, ...args], { cwd: userFolder, env, stdio: ['ignore', fd, fd] });
		fs.closeSync(fd);
		const [code, signal] = await once(child, 'exit').finally(broker.release);
		const log = await fsp.readFile(outFile, 'utf8');
		const done = doneWhen?.(log);
		const finished = done !== undefined && done !== null && done !== false;
		// The broker binds before any work starts: a port taken meanwhile means nothing ran.
		if (code !== 0 && !finished && saysPortInUse(log) && attempt < 5 && !('N8N_RUNNERS_BROKER_PORT' in extraEnv)) continue;
		let exitCode = code ?? 128 + (os.constants.signals[signal] ?? 0);
		let crashedAtExit = false;
		if (signal === 'SIGSEGV' || signal === 'SIGABRT') {
			if (finished) {
				crashedAtExit = true;
				exitCode = typeof done === 'number' ? done : 0;
				fs.appendFileSync(outFile, `\n[n8n.mjs] n8n died of ${signal} after finishing; counted as exit ${exitCode}\n`);
			} else if (!crashRetried && retryOnCrash) {
				crashRetried = true;
				continue; // crashed before its work was done (idempotent commands only): once more
			}
		}
		if (exitCode !== 0 && !allowFail) {
			throw new Error(`n8n ${args.join(' ')} failed (exit ${code ?? signal}; log ${outFile}):\n${log.split('\n').slice(-40).join('\n')}`);
		}
		return { exitCode, signal, log, logFile: outFile, crashedAtExit };
	}
}

async function importItems(line, userFolder, kind, items, env) {
	if (!items.length) return;
	const dir = path.join(userFolder, 'imports');
	await fsp.mkdir(dir, { recursive: true });
	const file = path.join(dir, `${kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
	await fsp.writeFile(file, JSON.stringify(items, null, 2));
	await n8nCommand(line, userFolder, [`import:${kind}`, `--input=${file}`], {
		env,
		doneWhen: (log) => /Successfully imported \d+/.test(log),
		retryOnCrash: true, // an import of the same ids again is harmless
	});
}

/**
 * Import credentials: each `{id, name, type, data}` with `data` a plain object (n8n
 * encrypts it on import with N8N_ENCRYPTION_KEY).
 */
export async function importCredentials(line, userFolder, creds, { env } = {}) {
	await importItems(line, userFolder, 'credentials', creds, env);
}

/**
 * Import workflows: each a workflow JSON carrying an `id` (and `name`, `nodes`, `connections`).
 * `env` (both imports): extra n8n environment, e.g. queue mode's database.
 */
export async function importWorkflows(line, userFolder, workflows, { env } = {}) {
	const withDefaults = workflows.map((wf) => {
		if (!wf.id) throw new Error(`workflow "${wf.name}" has no id`);
		return { active: false, settings: {}, connections: {}, ...wf };
	});
	await importItems(line, userFolder, 'workflow', withDefaults, env);
}

/**
 * Activates saved workflows as the CLI does (`publish:workflow` on 2.x, `update:workflow
 * --active=true` on 1.x), all at once (on SQLite, pass one id: parallel writers may lock it);
 * a running `n8n start` picks them up only when (re)started.
 */
export async function activateWorkflows(line, userFolder, ids, { env } = {}) {
	const args = (id) => (String(line) === '1' ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`]);
	await Promise.all(ids.map((id) => n8nCommand(line, userFolder, args(id), { env, retryOnCrash: true })));
}

/** Find the pretty JSON that `n8n execute --rawOutput` prints: a line `{` ... a line `}`. */
export function parseExecuteOutput(text) {
	const lines = text.split('\n');
	const start = lines.findIndex((l) => l.replace(/\r$/, '') === '{');
	if (start < 0) return null;
	for (let end = lines.length - 1; end > start; end--) {
		if (lines[end].replace(/\r$/, '') !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			/* a later `}` line may belong to a log; try an earlier one */
		}
	}
	return null;
}

/**
 * `n8n execute --id=<id> --rawOutput`. Returns {exitCode, output, log}: `output` is the
 * parsed run data (see runNodeItems/runNodeError) or null if none was printed.
 */
export async function executeWorkflow(line, userFolder, id, { env } = {}) {
	const r = await n8nCommand(line, userFolder, ['execute', `--id=${id}`, '--rawOutput'], {
		env,
		allowFail: true,
		// The run JSON is printed last: once it is there, the exit code it implies is n8n's.
		doneWhen: (log) => {
			const out = parseExecuteOutput(log);
			if (!out) return null;
			return out.data?.resultData?.error || out.status === 'error' ? 1 : 0;
		},
	});
	return { exitCode: r.exitCode, output: parseExecuteOutput(r.log), log: r.log, signal: r.signal, crashedAtExit: r.crashedAtExit };
}

/**
 * Items a node produced in an `n8n execute` result: the `json` of each item on
 * `output` (0 = main/success output; 1 = the error output when "On Error: Continue
 * (using error output)" is set) of run `runIndex`. [] if the node did not run.
 * Shape (both lines): output.data.resultData.runData[<node name>][runIndex]
 *   .data.main[output] = [{json, pairedItem, binary?}, ...]
 */
export function runNodeItems(output, nodeName, { output: outIndex = 0, runIndex = 0, full = false } = {}) {
	const run_ = output?.data?.resultData?.runData?.[nodeName]?.[runIndex];
	const items = run_?.data?.main?.[outIndex] ?? [];
	return full ? items : items.map((i) => i.json);
}

/**
 * The error a node failed with in an `n8n execute` result, or null:
 * runData[<node name>][runIndex].error = {message, description, name, httpCode?, ...}.
 * The run as a whole also carries it: output.data.resultData.error (+ lastNodeExecuted).
 */
export function runNodeError(output, nodeName, { runIndex = 0 } = {}) {
	return output?.data?.resultData?.runData?.[nodeName]?.[runIndex]?.error ?? null;
}
