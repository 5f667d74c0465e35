/**
 * The verified edition's package.json (editions/verified) is the self-hosted one's twin: the same
 * version, nodes and credential, and what n8n Cloud requires (no dependency, n8n-workflow "*" as
 * the only peer); its build compiles every node and credential the package lists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const json = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<string, any>;
const selfHosted = json('package.json');
const verified = json('editions/verified/package.json');

test('same version, licence, engines, keywords, nodes and credential as the self-hosted package', () => {
	expect(verified.name).toBe('@witrium/n8n-nodes-witrium');
	for (const field of ['version', 'license', 'author', 'homepage', 'bugs', 'engines', 'keywords']) expect(verified[field]).toEqual(selfHosted[field]);
	expect(verified.n8n).toEqual({ ...selfHosted.n8n, strict: true });
	expect(verified.repository).toEqual({ ...selfHosted.repository, directory: 'editions/verified' });
});

test('what n8n Cloud requires: no runtime dependency, n8n-workflow "*" the only peer, only dist/ shipped, no install scripts', () => {
	expect(verified.dependencies).toBeUndefined();
	expect(verified.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(verified.files).toEqual(['dist']);
	expect(verified.scripts).toBeUndefined();
});

test('the verified build compiles exactly the nodes and credential the package lists', () => {
	const listed = [...verified.n8n.credentials, ...verified.n8n.nodes].map((file: string) => `../../${file.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`);
	expect(json('editions/verified/tsconfig.json').files).toEqual(listed);
});
