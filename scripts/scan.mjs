#!/usr/bin/env node
// n8n's verification scan (@n8n/scan-community-package), run offline the way n8n runs it on a
// published version: on the packed tarball (compiled .js and package.json) and on the sources
// (package.json, nodes/, credentials/). Fails on every finding except the n8n Cloud rules that
// the shared client's use of undici makes inevitable (ALLOWED below). Needs `npm run build` first.
// Usage: node scripts/scan.mjs [package folder, default this repository]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

// The scanner's own file patterns for the tarball leg (see analyzePackageByName in scanner.mjs).
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

// Self-hosted n8n only, by the user's choice of undici (README, Install). Each entry: the rule,
// the files it may fire in, the message it may give, and why it is accepted.
const ALLOWED = [
	{
		rule: '@n8n/community-nodes/no-runtime-dependencies',
		file: /^package\.json$/,
		message: /"dependencies" field must be empty/,
		reason: 'undici is the one runtime dependency: the shared client speaks HTTP through it',
	},
	{
		rule: '@n8n/community-nodes/no-restricted-imports',
		file: /^dist\/src\/client\/[^/]+\.js$/,
		message: /^(Import|Require) of '(undici|node:http)' is not allowed/,
		reason: 'the shared client imports undici (its HTTP stack) and node:http (status texts)',
	},
	{
		rule: '@n8n/community-nodes/no-restricted-globals',
		file: /^dist\/src\/client\/[^/]+\.js$/,
		message: /^Use of restricted global '(setTimeout|clearTimeout|process)' is not allowed/,
		reason: 'the shared client times retries and request deadlines itself and reads the proxy variables from process.env',
	},
];

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));

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

function packTarball() {
	if (!existsSync(join(root, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	const work = mkdtempSync(join(tmpdir(), 'witrium-scan-'));
	// --dry-run=false: under `npm publish --dry-run` (prepublishOnly runs the tests) npm passes
	// npm_config_dry_run to its children, and a dry pack writes no tarball.
	const args = ['pack', '--json', '--dry-run=false', '--pack-destination', work];
	const [{ filename }] = JSON.parse(execFileSync('npm', args, { cwd: root, encoding: 'utf8' }));
	const dir = join(work, 'package');
	mkdirSync(dir);
	execFileSync('tar', ['-xzf', join(work, filename), '-C', dir, '--strip-components=1']);
	return { work, dir };
}

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
	if (unexpected.length) {
		console.error(`\n${unexpected.length} finding(s) not accepted:`);
		for (const { file, severity, rule, message } of unexpected) console.error(`  ${file}: ${severity} ${rule}: ${message}`);
		process.exitCode = 1;
	} else {
		console.log('\nscan: no finding other than the accepted ones');
	}
} finally {
	rmSync(tarball.work, { recursive: true, force: true });
}
