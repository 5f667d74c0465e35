#!/usr/bin/env node
// Installs the package's own dependencies (npm ci) when node_modules is missing or does not match
// package-lock.json, so `npm test` and `npm start` work as the first command on a fresh clone.
// Does nothing when the install matches. `npm test` and `npm start` run it first (not as a
// `pretest`: .npmrc's ignore-scripts=true makes npm skip pre- and post-scripts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const readPackages = (file) => {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')).packages ?? null;
	} catch {
		return null;
	}
};

/**
 * Why `root`'s node_modules does not match its package-lock.json, or null when it does. npm ci
 * writes node_modules/.package-lock.json: the lock's entries that it installed, as the lock has
 * them. Entries it skips are optional ones for other platforms (esbuild's, fsevents).
 */
export function staleReason(root = REPO_ROOT) {
	const wanted = readPackages(path.join(root, 'package-lock.json'));
	if (!wanted) return 'package-lock.json is missing or unreadable';
	const installed = readPackages(path.join(root, 'node_modules', '.package-lock.json'));
	if (!installed) return 'node_modules is missing (or was not installed by npm)';
	for (const [name, entry] of Object.entries(wanted)) {
		if (name === '') continue;
		if (!(name in installed)) {
			if (entry.optional) continue;
			return `${name} is not installed`;
		}
		if (JSON.stringify(installed[name]) !== JSON.stringify(entry)) return `${name} differs from package-lock.json`;
	}
	const extra = Object.keys(installed).find((name) => !(name in wanted));
	return extra ? `${extra} is installed but not in package-lock.json` : null;
}

/** Runs npm ci in `root` when its install is stale; returns whether it did. Throws when npm ci fails. */
export function ensureDependencies(root = REPO_ROOT, say = (line) => process.stderr.write(`${line}\n`)) {
	const reason = staleReason(root);
	if (!reason) return false;
	say(`Installing the package's dependencies (npm ci: ${reason}) ...`);
	const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
	if (npm.status !== 0) throw new Error(`npm ci failed (exit ${npm.status ?? npm.signal}) in ${root}`);
	return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	try {
		ensureDependencies();
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
