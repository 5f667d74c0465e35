/**
 * The documentation a user follows leads somewhere: every relative link in the repository's
 * Markdown opens a file that is in the repository (and a heading there, when it names one), and
 * each node's and the credential's documentation link in the editor opens that node's section.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const skipped = new Set(['node_modules', 'dist', '.cache', '.git']);

function markdownFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		if (skipped.has(entry.name)) return [];
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return markdownFiles(path);
		return entry.name.endsWith('.md') ? [path] : [];
	});
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces become hyphens. */
function anchors(markdownPath: string): Set<string> {
	const text = readFileSync(markdownPath, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
	const headings = [...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => match[1]);
	return new Set(
		headings.map((heading) =>
			heading
				.trim()
				.toLowerCase()
				.replace(/[^\p{L}\p{N}\s_-]/gu, '')
				.replace(/\s/g, '-'),
		),
	);
}

/** Why a link in `fromFile` to `target` (a relative path, a #heading, or both) opens nothing; '' when it opens. */
function brokenTarget(fromFile: string, target: string): string {
	const [path, anchor] = target.split('#');
	const file = path === '' ? fromFile : join(dirname(fromFile), decodeURIComponent(path));
	if (!existsSync(file)) return `no file ${relative(root, file)}`;
	if (anchor === undefined) return '';
	if (!file.endsWith('.md')) return `#${anchor} on a file that is not Markdown`;
	return anchors(file).has(anchor) ? '' : `no heading #${anchor} in ${relative(root, file)}`;
}

function relativeLinks(markdownPath: string): string[] {
	const text = readFileSync(markdownPath, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
	return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]).filter((target) => !/^[a-z]+:/i.test(target));
}

test('every relative link in the Markdown files opens a file (and heading) in the repository', () => {
	const files = markdownFiles(root);
	expect(files.map((file) => relative(root, file))).toEqual(expect.arrayContaining(['README.md', 'docs/development.md']));
	const broken = files.flatMap((file) =>
		relativeLinks(file)
			.map((target) => ({ target, why: brokenTarget(file, target) }))
			.filter(({ why }) => why !== '')
			.map(({ target, why }) => `${relative(root, file)}: (${target}) ${why}`),
	);
	expect(broken).toEqual([]);
});

test('a Markdown file named in the Markdown (as `name.md`) is one the repository has', () => {
	const files = markdownFiles(root);
	const names = new Set(files.map((file) => file.split('/').pop()));
	const missing = files.flatMap((file) =>
		[...readFileSync(file, 'utf8').matchAll(/`([^`\s]*\.md)`/g)]
			.map((match) => match[1])
			.filter((named) => !names.has(named.split('/').pop()))
			.map((named) => `${relative(root, file)}: ${named}`),
	);
	expect(missing).toEqual([]);
});

const readme = join(root, 'README.md');

test('every workflow in examples/ is listed in the README', () => {
	const listed = readFileSync(readme, 'utf8');
	const unlisted = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.json') && !listed.includes(`\`${name}\``));
	expect(unlisted).toEqual([]);
});

test('a missing file or heading is caught, a present one is not (the check above can fail)', () => {
	expect(brokenTarget(readme, '#no-such-heading')).toBe('no heading #no-such-heading in README.md');
	expect(brokenTarget(readme, 'docs/no-such-file.md')).toBe('no file docs/no-such-file.md');
	expect(brokenTarget(readme, '#install-in-n8n')).toBe('');
	expect(brokenTarget(readme, 'docs/development.md#n8ns-checks-and-the-rules-excepted-on-purpose')).toBe('');
});

const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	repository: { url: string };
	n8n: { nodes: string[] };
};
const repositoryUrl = packageJson.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** A documentation URL on the repository's GitHub page, as the file and heading it opens. */
function repositoryTarget(url: string): string {
	expect(url.slice(0, repositoryUrl.length)).toBe(repositoryUrl);
	const rest = url.slice(repositoryUrl.length);
	const [path, anchor] = rest.split('#');
	const file = path === '' || path === '/' ? 'README.md' : path.replace(/^\/blob\/[^/]+\//, '');
	return anchor === undefined ? file : `${file}#${anchor}`;
}

const sectionOf: Record<string, string> = {
	WitriumRunWorkflow: 'README.md#run-workflow',
	WitriumRunTalent: 'README.md#run-talent',
	WitriumBrowserSession: 'README.md#browser-session',
	WitriumCancelRun: 'README.md#cancel-run',
	WitriumTrigger: 'README.md#witrium-trigger',
};

test.each(Object.keys(sectionOf))("%s's documentation link opens its section of the README", (node) => {
	const codex = JSON.parse(readFileSync(join(root, 'nodes', node, `${node}.node.json`), 'utf8')) as {
		resources: { primaryDocumentation: Array<{ url: string }>; credentialDocumentation: Array<{ url: string }> };
	};
	const [primary] = codex.resources.primaryDocumentation;
	expect(repositoryTarget(primary.url)).toBe(sectionOf[node]);
	expect(brokenTarget(readme, repositoryTarget(primary.url))).toBe('');
	const [credential] = codex.resources.credentialDocumentation;
	expect(repositoryTarget(credential.url)).toBe('README.md#credentials');
	expect(packageJson.n8n.nodes).toContain(`dist/nodes/${node}/${node}.node.js`);
});

test("the credential's documentation link opens the README's Credentials section", () => {
	const source = readFileSync(join(root, 'credentials', 'WitriumApi.credentials.ts'), 'utf8');
	const url = /documentationUrl = '([^']+)'/.exec(source)?.[1] ?? '';
	expect(repositoryTarget(url)).toBe('README.md#credentials');
	expect(brokenTarget(readme, '#credentials')).toBe('');
});
