#!/usr/bin/env node
// n8n's verification scan (@n8n/scan-community-package), run offline the way n8n runs it on a
// published version: on the packed tarball (compiled .js and package.json) and on the sources
// (package.json, nodes/, credentials/). Provenance, the one check that needs a publish, is left out.
// Self-hosted package: fails on every finding except the n8n Cloud rules that its use of undici
// makes inevitable (ALLOWED below); needs `npm run build` first.
// Verified edition (--verified): fails on every finding, and on any runtime dependency or peer but
// n8n-workflow "*"; scans the given tarball, or builds and packs the edition (npm run pack:verified).
// Usage: node scripts/scan.mjs [package folder, default this repository]
//        node scripts/scan.mjs --verified [tarball]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

// The scanner's own file patterns for the tarball leg (see analyzePackageByName in scanner.mjs).
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

// The self-hosted package only, by its choice of undici (README, Install); the verified edition has none. Each entry: the rule,
// the files it may fire in, the message it may give, and why it is accepted.
const ALLOWED = [
	{
		rule: '@n8n/community-nodes/no-runtime-dependencies',
		file: /^package\.json$/,
		message: /"dependencies" field must be empty/,
		reason: 'undici is the one runtime dependency: the self-hosted transport speaks HTTP through it',
	},
	{
		rule: '@n8n/community-nodes/no-restricted-imports',
		file: /^dist\/src\/client\/[^/]+\.js$/,
		message: /^(Import|Require) of 'undici' is not allowed/,
		reason: 'the self-hosted transport (http.ts, dispatchers.ts) speaks HTTP through undici',
	},
	{
		rule: '@n8n/community-nodes/no-restricted-globals',
		file: /^dist\/src\/client\/[^/]+\.js$/,
		message: /^Use of restricted global '(setTimeout|clearTimeout|process)' is not allowed/,
		reason: 'the self-hosted transport times retries and request deadlines itself and reads the proxy variables from process.env',
	},
];

const verified = process.argv[2] === '--verified';
const root = verified ? join(import.meta.dirname, '..') : resolve(process.argv[2] ?? join(import.meta.dirname, '..'));

/** Findings out of the scanner's report (ESLint's "stylish" format: a file line, then its findings). */
function findings(details, dir) {
	const found = [];
	let file = '';
	for (const line of (details ?? '').split('\n')) {
		const finding = /^\s+\d+:\d+\s+(error|warning)\s+(.*?)\s{2,}(\S+)$/.exec(line);
		if (finding) found.push({ file, severity: finding[1], message: finding[2], rule: finding[3] });
		else if (line.startsWith('/')) file = relative(dir, line.trim());
	}
	return found;
}

const allowance = ({ rule, file, message }) =>
	ALLOWED.find((allowed) => allowed.rule === rule && allowed.file.test(file) && allowed.message.test(message));

async function scan(label, dir, patterns) {
	// The report lists warnings only when there are errors too, as n8n's verdict ignores warnings alone;
	// the accepted no-runtime-dependencies error is always there, so every warning shows and fails here.
	const result = await analyzePackage(dir, patterns);
	console.log(`\n## ${label}: ${result.passed ? 'passed' : result.message}`);
	if (result.details) console.log(result.details);
	if (!result.passed && !result.details) throw new Error(`the scanner failed on the ${label}: ${result.message}`);
	const found = findings(result.details, dir);
	const total = Number(/(\d+) problems?/.exec(result.details ?? '')?.[1] ?? 0);
	if (found.length !== total) throw new Error(`read ${found.length} of the ${total} findings in the ${label} report`);
	return found;
}

function extract(tarball) {
	const work = mkdtempSync(join(tmpdir(), 'witrium-scan-'));
	const dir = join(work, 'package');
	mkdirSync(dir);
	execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
	return { work, dir };
}

function packTarball() {
	if (!existsSync(join(root, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	const work = mkdtempSync(join(tmpdir(), 'witrium-scan-'));
	// --dry-run=false: under `npm publish --dry-run` (prepublishOnly runs the tests) npm passes
	// npm_config_dry_run to its children, and a dry pack writes no tarball.
	const args = ['pack', '--json', '--dry-run=false', '--pack-destination', work];
	const [{ filename }] = JSON.parse(execFileSync('npm', args, { cwd: root, encoding: 'utf8' }));
	return { ...extract(join(work, filename)), packWork: work };
}

async function scanSelfHosted() {
	const tarball = packTarball();
	try {
		const found = [
			...(await scan('packed tarball', tarball.dir, TARBALL_FILE_PATTERNS)),
			...(await scan('sources', root, SOURCE_FILE_PATTERNS)),
		];
		const unexpected = found.filter((finding) => !allowance(finding));
		console.log(`\n${found.length - unexpected.length} finding(s) accepted, self-hosted n8n only:`);
		for (const allowed of ALLOWED) {
			const count = found.filter((finding) => allowance(finding) === allowed).length;
			console.log(`  ${count}  ${allowed.rule}: ${allowed.reason}`);
		}
		report(unexpected, 'scan: no finding other than the accepted ones');
	} finally {
		rmSync(tarball.work, { recursive: true, force: true });
		rmSync(tarball.packWork, { recursive: true, force: true });
	}
}

/** The verified edition: its tarball, and the sources it is built from (nodes/, credentials/) under its package.json. */
async function scanVerified(tarballPath) {
	const tarball = extract(tarballPath ?? packVerified());
	const sources = mkdtempSync(join(tmpdir(), 'witrium-scan-sources-'));
	try {
		const manifest = JSON.parse(readFileSync(join(tarball.dir, 'package.json'), 'utf8'));
		console.log(`${manifest.name}@${manifest.version}: ${tarballPath ?? 'packed by npm run pack:verified'}`);
		cpSync(join(tarball.dir, 'package.json'), join(sources, 'package.json'));
		for (const part of ['nodes', 'credentials']) cpSync(join(root, part), join(sources, part), { recursive: true });
		const found = [
			...(await scan('verified tarball', tarball.dir, TARBALL_FILE_PATTERNS)),
			...(await scan('verified sources', sources, SOURCE_FILE_PATTERNS)),
		];
		const dependencies = Object.keys(manifest.dependencies ?? {});
		const peers = JSON.stringify(manifest.peerDependencies ?? {});
		console.log(`\ndependencies: ${dependencies.length ? dependencies.join(', ') : 'none'}; peerDependencies: ${peers}`);
		if (dependencies.length) found.push({ file: 'package.json', severity: 'error', rule: 'dependencies', message: 'the verified edition must have none' });
		if (peers !== '{"n8n-workflow":"*"}') found.push({ file: 'package.json', severity: 'error', rule: 'peerDependencies', message: 'must be exactly n8n-workflow "*"' });
		report(found, 'scan: the verified edition passes every check but provenance (added by the release\'s publish)');
	} finally {
		rmSync(tarball.work, { recursive: true, force: true });
		rmSync(sources, { recursive: true, force: true });
	}
}

function packVerified() {
	const out = execFileSync('node', [join(root, 'scripts', 'build-verified.mjs'), '--pack'], { cwd: root, encoding: 'utf8' });
	return out.trim().split('\n').pop();
}

function report(refused, passed) {
	if (refused.length) {
		console.error(`\n${refused.length} finding(s) not accepted:`);
		for (const { file, severity, rule, message } of refused) console.error(`  ${file}: ${severity} ${rule}: ${message}`);
		process.exitCode = 1;
	} else {
		console.log(`\n${passed}`);
	}
}

if (verified) await scanVerified(process.argv[3] && resolve(process.argv[3]));
else await scanSelfHosted();
