/** scripts/migrate-workflow.mjs moves exported workflows between the editions, both ways, and touches nothing else. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const script = join(__dirname, '..', '..', 'scripts', 'migrate-workflow.mjs');
const run = (...args: string[]) =>
	promisify(execFile)('node', [script, ...args]).then(
		(done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
		(failed: { code: number; stdout: string; stderr: string }) => failed,
	);

const example = join(__dirname, '..', '..', 'examples');
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'witrium-migrate-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function workflow() {
	return {
		name: 'Prices',
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			{ name: 'Run', type: 'n8n-nodes-witrium.witriumRunWorkflow', typeVersion: 1, parameters: { workflowId: 'wf' }, credentials: { witriumApi: { id: '1', name: 'Witrium' } } },
			{ name: 'Tool', type: 'n8n-nodes-witrium.witriumRunTalentTool', typeVersion: 1, parameters: {} },
		],
		connections: { Start: { main: [[{ node: 'Run', type: 'main', index: 0 }]] } },
	};
}

test('to verified and back: only the Witrium node types change, and the round trip gives the file back', async () => {
	const file = join(dir, 'wf.json');
	writeFileSync(file, `${JSON.stringify(workflow(), null, 2)}\n`);
	const original = readFileSync(file, 'utf8');

	const there = await run('--to', 'verified', file);
	expect(there).toMatchObject({ code: 0, stdout: `${file}: 2 Witrium node(s) now @witrium/n8n-nodes-witrium.*\n` });
	const moved = JSON.parse(readFileSync(file, 'utf8'));
	expect(moved.nodes.map((n: { type: string }) => n.type)).toEqual([
		'n8n-nodes-base.manualTrigger',
		'@witrium/n8n-nodes-witrium.witriumRunWorkflow',
		'@witrium/n8n-nodes-witrium.witriumRunTalentTool',
	]);
	expect({ ...moved, nodes: moved.nodes.map((n: object) => ({ ...n, type: undefined })) }).toEqual({
		...workflow(),
		nodes: workflow().nodes.map((n) => ({ ...n, type: undefined })),
	});

	// Again: nothing left to move.
	expect(await run('--to', 'verified', file)).toMatchObject({ code: 0, stdout: `${file}: 0 Witrium node(s) now @witrium/n8n-nodes-witrium.*\n` });
	expect(await run('--to', 'self-hosted', file)).toMatchObject({ code: 0, stdout: `${file}: 2 Witrium node(s) now n8n-nodes-witrium.*\n` });
	expect(readFileSync(file, 'utf8')).toBe(original);
});

test('an export of several workflows (an array) is moved whole; the examples move too', async () => {
	const file = join(dir, 'all.json');
	const examples = ['chat-agent-with-witrium-tools.json', 'log-in-once-fan-out.json'].map((name) => JSON.parse(readFileSync(join(example, name), 'utf8')) as { nodes: Array<{ type: string }> });
	writeFileSync(file, JSON.stringify([workflow(), ...examples]));
	const result = await run('--to', 'verified', file);
	expect(result.code).toBe(0);
	const moved = JSON.parse(readFileSync(file, 'utf8')) as Array<{ nodes: Array<{ type: string }> }>;
	const witrium = moved.flatMap((w) => w.nodes.map((n) => n.type)).filter((type) => type.includes('witrium'));
	expect(witrium.length).toBeGreaterThan(2);
	for (const type of witrium) expect(type).toMatch(/^@witrium\/n8n-nodes-witrium\.witrium/);
});

test('bad input: an unknown edition, a file that is not a workflow, a missing --to; the file is left as it was', async () => {
	const file = join(dir, 'wf.json');
	writeFileSync(file, JSON.stringify(workflow()));
	const before = readFileSync(file, 'utf8');
	expect(await run('--to', 'cloud', file)).toMatchObject({ code: 1, stderr: '--to must be one of: self-hosted, verified (got "cloud")\n' });
	expect(await run(file)).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: node scripts/migrate-workflow.mjs --to verified|self-hosted') });
	const notWorkflow = join(dir, 'creds.json');
	writeFileSync(notWorkflow, '[{"id":"1","type":"witriumApi"}]');
	expect(await run('--to', 'verified', notWorkflow)).toMatchObject({ code: 1, stderr: 'workflow 1 has no "nodes" list: is this an n8n workflow export?\n' });
	expect(readFileSync(file, 'utf8')).toBe(before);
});
