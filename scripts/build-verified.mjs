#!/usr/bin/env node
// Builds the verified (n8n Cloud) edition into editions/verified/dist from the same sources as the
// self-hosted package: tsc compiles the node and credential entry points with src/n8n/edition.verified.ts
// in place of edition.ts (editions/verified/tsconfig.json, moduleSuffixes), so undici, timers and
// process never reach it; then the icons and codex files, README and LICENSE.
// Usage: node scripts/build-verified.mjs [--pack]   (--pack: also `npm pack`, printing the tarball's path last)
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const edition = join(root, 'editions', 'verified');
const dist = join(edition, 'dist');
const require = createRequire(import.meta.url);

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(edition, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
// tsc keeps the source's name (edition.verified.js); the code that imports it asks for ./edition.
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
	if (entry.isFile() && entry.name.endsWith('.verified.js')) {
		renameSync(join(entry.parentPath, entry.name), join(entry.parentPath, entry.name.replace(/\.verified\.js$/, '.js')));
	}
}
execFileSync(process.execPath, [join(root, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build:assets', '--dest', dist], { stdio: 'inherit', cwd: root });
copyFileSync(join(root, 'LICENSE'), join(edition, 'LICENSE'));
// The README's relative links point into the repository from its root; the copy is two folders down.
const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\]\((?![a-z]+:|#)([^)]+)\)/g, '](../../$1)');
writeFileSync(join(edition, 'README.md'), readme);

if (process.argv.includes('--pack')) {
	// --dry-run=false: under `npm publish --dry-run` npm passes npm_config_dry_run to its children.
	const packed = execFileSync('npm', ['pack', '--json', '--dry-run=false', '--pack-destination', edition], { cwd: edition, encoding: 'utf8' });
	const [{ filename }] = JSON.parse(packed);
	console.log(join(edition, filename));
}
