// This package built, packed, and installed into an n8n user folder as n8n's installer does.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.mjs';
import { cleanEnv, run, step } from './process.mjs';
import { readJson } from './install.mjs';

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
 * the tarball extracted into `<dir>/.n8n/nodes/node_modules/<its name>` (n8n-nodes-witrium, or
 * @witrium/n8n-nodes-witrium for the verified edition), its
 * dev/peer/optional dependencies dropped from its package.json, then
 * `npm install --bin-links=false --install-strategy=shallow --ignore-scripts=true
 * --package-lock=false` inside it (production dependencies only), and the package
 * listed in `<dir>/.n8n/nodes/package.json`. n8n scans that node_modules at start-up
 * and loads the package's types as `<its name>.<node name>`.
 * Re-running it replaces the package (the rest of the folder, e.g. the database, stays).
 * Returns `dir`.
 */
export async function createUserFolder(dir, tarball) {
	const nodesDir = path.join(dir, '.n8n', 'nodes');
	const logFile = path.join(dir, 'install-package.log');
	const unpacked = path.join(nodesDir, 'unpacked');
	await fsp.rm(unpacked, { recursive: true, force: true });
	await fsp.mkdir(unpacked, { recursive: true });
	await run('tar', ['-xzf', path.resolve(tarball), '-C', unpacked, '--strip-components=1'], { logFile });
	const { devDependencies, peerDependencies, optionalDependencies, ...pkgJson } = JSON.parse(
		await fsp.readFile(path.join(unpacked, 'package.json'), 'utf8'),
	);
	const pkgDir = path.join(nodesDir, 'node_modules', pkgJson.name);
	await fsp.rm(pkgDir, { recursive: true, force: true });
	await fsp.mkdir(path.dirname(pkgDir), { recursive: true });
	await fsp.rename(unpacked, pkgDir);
	const pkgJsonFile = path.join(pkgDir, 'package.json');
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
	list.dependencies = { ...(list.dependencies || {}), [pkgJson.name]: pkgJson.version };
	await fsp.writeFile(listFile, JSON.stringify(list, null, 2));
	return dir;
}
