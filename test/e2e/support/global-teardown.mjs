/** Removes the tarball the global setup packed (its own temp folder). */
import fs from 'node:fs';
import path from 'node:path';

export default async function globalTeardown() {
	const tarball = process.env.WITRIUM_E2E_TARBALL;
	if (tarball && process.env.WITRIUM_E2E_TARBALL_OWNED === '1' && path.basename(path.dirname(tarball)).startsWith('witrium-pack-')) {
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}
