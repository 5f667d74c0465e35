/**
 * What gets published: a publish builds and tests first (so it never ships without `dist`), the
 * release workflow really runs that step, and `files` names only what the build writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { files: string[]; scripts: Record<string, string> };

test('a publish builds and runs the tests first', () => {
	const steps = packageJson.scripts.prepublishOnly?.split('&&').map((step) => step.trim());
	expect(steps).toEqual(['npm run build', 'npm test']);
});

test('the release workflow publishes with scripts on, so prepublishOnly runs despite .npmrc', () => {
	// .npmrc turns install scripts off (ignore-scripts=true), which also skips prepublishOnly.
	expect(read('.npmrc')).toMatch(/^ignore-scripts=true$/m);
	const steps = read('.github/workflows/release.yml').split('\n');
	const publish = steps.filter((line) => /^\s*- run: npm publish\b/.test(line));
	expect(publish).toHaveLength(2);
	expect(publish[0]).toMatch(/ --ignore-scripts=false\b/);
	// The verified edition goes second, once the first publish has run the tests, packed from the same commit.
	expect(publish[1]).toContain('"$(npm run --silent pack:verified | tail -n 1)"');
	for (const line of publish) expect(line).toMatch(/ --provenance --access public\b/);
	const scans = ['npm run scan', 'npm run scan:verified'].map((scan) => steps.findIndex((line) => line.trim() === `- run: ${scan}`));
	for (const at of scans) expect(at).toBeGreaterThan(-1);
	expect(Math.max(...scans)).toBeLessThan(steps.indexOf(publish[0]));
});

test('every `files` entry names a folder the build writes to dist/ (no dead entries)', () => {
	const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string }; include: string[] };
	expect(tsconfig.compilerOptions.outDir).toBe('dist');
	const built = new Set(tsconfig.include.map((glob) => `dist/${glob.split('/')[0]}`));
	for (const entry of packageJson.files) {
		if (entry === 'dist') continue;
		expect(built).toContain(entry.replace(/^!/, ''));
	}
	expect(packageJson.files).toEqual(expect.arrayContaining(['dist', '!dist/simulator']));
});
