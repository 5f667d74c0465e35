// Child processes: spawn with a log file, a clean environment, progress lines for slow steps.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

export function log(msg) {
	process.stderr.write(`[n8n.mjs] ${msg}\n`);
}

export function fmtSecs(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * process.env without anything a parent npm put there (npm_config_*, npm_package_*, ...)
 * nor a test runner's NODE_ENV=test (n8n under NODE_ENV=test prints nothing at all).
 */
export function cleanEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^npm_/i.test(k) || k === 'NODE_ENV' || k === 'JEST_WORKER_ID') continue;
		env[k] = v;
	}
	return { ...env, ...extra };
}

export function pathWith(binDir, basePath = process.env.PATH || '') {
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
export async function step(name, fn) {
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
