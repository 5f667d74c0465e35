/**
 * Runs once before the e2e suites: installs the selected n8n lines into the cache
 * (progress on stderr; minutes the first time, < 1 s after) and builds + packs the
 * package once, and the verified edition once. Suites read the tarballs from
 * WITRIUM_E2E_TARBALL and WITRIUM_E2E_VERIFIED_TARBALL.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { REPO_ROOT, ensureN8n, packPackage } from '../../../scripts/n8n.mjs';

export default async function globalSetup() {
	const lines = (process.env.WITRIUM_E2E_LINES || '2,1').split(',').map((s) => s.trim()).filter(Boolean);
	process.env.WITRIUM_E2E_LINES = lines.join(',');
	process.stderr.write('\n');
	for (const line of lines) await ensureN8n(line);
	if (!process.env.WITRIUM_E2E_TARBALL) {
		process.env.WITRIUM_E2E_TARBALL = await packPackage();
		process.env.WITRIUM_E2E_TARBALL_OWNED = '1'; // global-teardown.mjs removes it
	}
	if (!process.env.WITRIUM_E2E_VERIFIED_TARBALL) {
		const packed = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-verified.mjs'), '--pack'], { encoding: 'utf8' });
		process.env.WITRIUM_E2E_VERIFIED_TARBALL = packed.trim().split('\n').pop();
	}
	process.stderr.write(`[e2e] lines ${lines.join(', ')}; package ${process.env.WITRIUM_E2E_TARBALL}, verified edition ${process.env.WITRIUM_E2E_VERIFIED_TARBALL}\n`);
}
