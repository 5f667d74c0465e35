import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * scripts/scan.mjs (the CI step running n8n's verification scanner) accepts only the Cloud rules
 * undici makes inevitable, and only where the client uses them. Run on a copy of the package's
 * sources with a compiled client and node written here, so no build is needed.
 * NODE_ENV=test (set by jest) would switch eslint-plugin-n8n-nodes-base into its own test mode.
 */
const repo = join(__dirname, '..', '..');
const scan = (dir: string) =>
	promisify(execFile)('node', [join(repo, 'scripts', 'scan.mjs'), dir], { cwd: repo, env: { ...process.env, NODE_ENV: '' } }).then(
		(done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
		(failed: { code: number; stdout: string; stderr: string }) => failed,
	);

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'witrium-scan-test-'));
	for (const part of ['package.json', 'nodes', 'credentials']) cpSync(join(repo, part), join(dir, part), { recursive: true });
	mkdirSync(join(dir, 'dist', 'src', 'client'), { recursive: true });
	mkdirSync(join(dir, 'dist', 'nodes'), { recursive: true });
	writeFileSync(
		join(dir, 'dist', 'src', 'client', 'http.js'),
		"const { request } = require('undici');\nconst timer = setTimeout(() => request(process.env.HTTPS_PROXY), 1);\nclearTimeout(timer);\n",
	);
	writeFileSync(join(dir, 'dist', 'nodes', 'Node.node.js'), "exports.node = require('../src/client/http');\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('passes the package as it is, listing what it accepts and why', async () => {
	const result = await scan(dir);
	expect(result.stderr).toBe('');
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('2  @n8n/community-nodes/no-runtime-dependencies');
	expect(result.stdout).toContain('1  @n8n/community-nodes/no-restricted-imports');
	expect(result.stdout).toContain('3  @n8n/community-nodes/no-restricted-globals');
	expect(result.stdout).toContain('scan: no finding other than the accepted ones');
});

test('fails on any other finding: a missing subtitle, a global outside the client, another global in it', async () => {
	const cancelRun = join(dir, 'nodes', 'WitriumCancelRun', 'WitriumCancelRun.node.ts');
	writeFileSync(cancelRun, readFileSync(cancelRun, 'utf8').replace(/^\s*subtitle: .*$/m, ''));
	writeFileSync(join(dir, 'dist', 'nodes', 'Node.node.js'), 'setTimeout(() => undefined, 1);\n');
	writeFileSync(join(dir, 'dist', 'src', 'client', 'poll.js'), 'setInterval(() => undefined, 1);\n');
	const result = await scan(dir);
	expect(result.code).toBe(1);
	const refused = result.stderr.split('\n').filter((line) => line.startsWith('  '));
	expect(refused).toEqual([
		expect.stringMatching(/^ {2}dist\/nodes\/Node\.node\.js: error @n8n\/community-nodes\/no-restricted-globals: .*'setTimeout'/),
		expect.stringMatching(/^ {2}dist\/src\/client\/poll\.js: error @n8n\/community-nodes\/no-restricted-globals: .*'setInterval'/),
		expect.stringMatching(/^ {2}nodes\/WitriumCancelRun\/WitriumCancelRun\.node\.ts: error .*require-node-description-fields/),
	]);
});

describe('--verified: the n8n Cloud edition, with no exception', () => {
	const verifiedManifest = () => JSON.parse(readFileSync(join(repo, 'editions', 'verified', 'package.json'), 'utf8')) as Record<string, unknown>;

	/** A tarball as npm packs one: package/ holding the manifest and the compiled files given. */
	function tarball(manifest: Record<string, unknown>, files: Record<string, string>): string {
		const pkg = join(dir, 'tarball', 'package');
		mkdirSync(pkg, { recursive: true });
		writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
		for (const [path, text] of Object.entries(files)) {
			mkdirSync(join(pkg, path, '..'), { recursive: true });
			writeFileSync(join(pkg, path), text);
		}
		const file = join(dir, 'verified.tgz');
		execFileSync('tar', ['-czf', file, '-C', join(dir, 'tarball'), 'package']);
		return file;
	}
	const scanVerified = (file: string) =>
		promisify(execFile)('node', [join(repo, 'scripts', 'scan.mjs'), '--verified', file], { cwd: repo, env: { ...process.env, NODE_ENV: '' } }).then(
			(done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
			(failed: { code: number; stdout: string; stderr: string }) => failed,
		);

	test('a tarball with only allowed imports and no dependency passes', async () => {
		const file = tarball(verifiedManifest(), {
			'dist/nodes/Node.node.js': "const { sleep } = require('n8n-workflow');\nexports.node = require('../src/client/client');\nexports.sleep = sleep;\n",
			'dist/src/client/client.js': "const { createHash } = require('node:crypto');\nexports.hash = createHash;\n",
		});
		const result = await scanVerified(file);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('dependencies: none; peerDependencies: {"n8n-workflow":"*"}');
		expect(result.stdout).toContain('scan: the verified edition passes every check but provenance');
	});

	test("what the self-hosted package may do fails here: undici, timers, process, a runtime dependency, another peer", async () => {
		const manifest = { ...verifiedManifest(), dependencies: { undici: '^7.0.0' }, peerDependencies: { 'n8n-workflow': '*', 'n8n-core': '*' } };
		const file = tarball(manifest, {
			'dist/src/client/http.js': "const { request } = require('undici');\nconst timer = setTimeout(() => request(process.env.HTTPS_PROXY), 1);\nclearTimeout(timer);\n",
		});
		const result = await scanVerified(file);
		expect(result.code).toBe(1);
		const refused = result.stderr.split('\n').filter((line) => line.startsWith('  '));
		expect(refused).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^ {2}dist\/src\/client\/http\.js: error @n8n\/community-nodes\/no-restricted-imports: .*'undici'/),
				expect.stringMatching(/^ {2}dist\/src\/client\/http\.js: error @n8n\/community-nodes\/no-restricted-globals: .*'setTimeout'/),
				expect.stringMatching(/^ {2}dist\/src\/client\/http\.js: error @n8n\/community-nodes\/no-restricted-globals: .*'process'/),
				expect.stringMatching(/^ {2}package\.json: error @n8n\/community-nodes\/no-runtime-dependencies/),
				'  package.json: error dependencies: the verified edition must have none',
				'  package.json: error peerDependencies: must be exactly n8n-workflow "*"',
			]),
		);
	});
});
