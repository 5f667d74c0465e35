/**
 * The action nodes called as AI Agent tools, the way n8n 2.x runs a tool call: the
 * `<type>Tool` node type executed as an ordinary node whose input item is the agent's item
 * (here a Chat Trigger's) plus the model's arguments. The real agent is in test/e2e/agent.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { WitriumBrowserSession } from '../../nodes/WitriumBrowserSession/WitriumBrowserSession.node';
import { WitriumCancelRun } from '../../nodes/WitriumCancelRun/WitriumCancelRun.node';
import { WitriumRunTalent } from '../../nodes/WitriumRunTalent/WitriumRunTalent.node';
import { WitriumRunWorkflow } from '../../nodes/WitriumRunWorkflow/WitriumRunWorkflow.node';
import { DEFAULT_WAIT_SECONDS } from '../../src/n8n/descriptions';
import { talentWaitSeconds } from '../../src/n8n/runTalentNode';
import { TOOL_WAIT_SECONDS, defaultWaitSeconds } from '../../src/n8n/tool';
import { TOOL_OUTPUT_LIMIT, boundToolOutput } from '../../src/n8n/toolOutput';
import { registerNodeType, runWorkflow } from '../harness';
import { line, node, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

const QUICK = 'bbbbbbbb-0000-4000-8000-000000000001';
const FAILING = 'bbbbbbbb-0000-4000-8000-000000000002';
const HUGE_LIST = 'bbbbbbbb-0000-4000-8000-000000000003';
const HUGE_TEXT = 'bbbbbbbb-0000-4000-8000-000000000004';
const MISSING = 'bbbbbbbb-0000-4000-8000-00000000dead';
const SLOW_TALENT = 'bbbbbbbb-0000-4000-8000-0000000000aa';
const ENDS_UNKNOWN = 'bbbbbbbb-0000-4000-8000-000000000005';

const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, title: `Listing number ${i}`, price: i * 1.5 }));

beforeAll(() => {
	sim.define({
		workflows: [
			{
				id: QUICK,
				startDelayMs: 10,
				steps: [{ instruction: 'Read', durationMs: 20 }],
				result: { title: 'Hello', nested_key: [1, 2] },
				resultFormat: 'json',
				echoArgs: true,
			},
			{
				id: FAILING,
				startDelayMs: 10,
				steps: [
					{ instruction: 'Open cart', durationMs: 20 },
					{ instruction: 'Click #pay', durationMs: 20 },
				],
				failAtStep: 2,
				errorMessage: 'Element not found: #pay',
			},
			{ id: HUGE_LIST, startDelayMs: 10, steps: [{ instruction: 'Scrape', durationMs: 20 }], result: rows },
			{ id: HUGE_TEXT, startDelayMs: 10, steps: [{ instruction: 'Read page', durationMs: 20 }], result: { page: 'x'.repeat(50_000) } },
			{ id: ENDS_UNKNOWN, startDelayMs: 10, steps: [{ instruction: 'Work', durationMs: 20 }], endStatus: 'E' },
		],
		talents: [{ id: SLOW_TALENT, durationMs: 4_000, result: { answer: 42 } }],
	});
	// What n8n registers for a `usableAsTool` node: the same node under `<type>Tool`.
	for (const type of [new WitriumRunWorkflow(), new WitriumRunTalent(), new WitriumBrowserSession(), new WitriumCancelRun()]) {
		registerNodeType(type, `n8n-nodes-witrium.${type.description.name}Tool`);
	}
});

const chatItem = { sessionId: 'chat-0d9f', action: 'sendMessage', chatInput: 'Log me in' };

/** One tool call: the agent's (chat) item plus the model's arguments as the node's input. */
async function callTool(type: string, parameters: IDataObject, modelArgs: IDataObject = {}, extra = {}) {
	const result = await runWorkflow(
		line([node('Tool', `${type}Tool`, parameters as never, extra)], [{ ...chatItem, ...modelArgs, toolCallId: 'call_1' }]),
		{
			credentials: credentials(),
		},
	);
	expect(result.error).toBeUndefined();
	return { answer: output(result, 'Tool').map((item) => item.json), result };
}

test('a run answers with what a model can use: the result untouched, no empty fields, no status code; no chat id sent', async () => {
	const { answer } = await callTool(
		'witriumRunWorkflow',
		{ workflowId: QUICK, arguments: { argument: [{ name: 'user', value: '={{ $json.username }}' }] } },
		{ username: 'jane' },
	);
	expect(answer).toEqual([
		{
			runId: expect.any(String),
			workflowId: QUICK,
			statusName: 'completed',
			startedAt: expect.any(String),
			completedAt: expect.any(String),
			result: { title: 'Hello', nested_key: [1, 2], args: { user: 'jane' } },
		},
	]);
	expect(sim.runs().map((run) => [run.args, run.sessionId])).toEqual([[{ user: 'jane' }, null]]);
	expect(JSON.stringify(sim.requests.map((r) => [r.path, r.body]))).not.toContain('chat-0d9f');
});

test('a run ended under a code the package does not know: the model gets the raw code beside statusName unknown', async () => {
	const { answer } = await callTool('witriumRunWorkflow', { workflowId: ENDS_UNKNOWN, options: { failOnRunFailure: false } });
	expect(answer).toEqual([expect.objectContaining({ statusName: 'unknown', status: 'E' })]);
});

test("a failed run is an answer, not a crash: the failed step, the service's message and the run id", async () => {
	const { answer, result } = await callTool('witriumRunWorkflow', { workflowId: FAILING });
	expect(result.status).toBe('success');
	expect(answer).toHaveLength(1);
	expect(answer[0].error).toMatch(
		/^Run \S+ of workflow \S+ failed: Element not found: #pay\. Step 2 "Click #pay" failed: Element not found: #pay\. Run ID: \S+/,
	);
});

test('a bad id is an answer saying what the service said and what to fix', async () => {
	const { answer } = await callTool('witriumRunWorkflow', { workflowId: '={{ $json.workflowId }}' }, { workflowId: MISSING });
	expect(answer).toEqual([{ error: expect.stringContaining('404') }]);
	expect(answer[0].error).toContain(`Witrium said: Workflow ${MISSING} not found.`);
	expect(answer[0].error).toContain('Check the id: it must exist in the Witrium account of the credential.');
	const closed = await callTool(
		'witriumBrowserSession',
		{ operation: 'close', browserSessionId: '={{ $json.browserSessionId }}' },
		{ browserSessionId: '' },
	);
	expect(closed.answer).toEqual([
		{ error: expect.stringMatching(/^Browser Session ID is empty \[item 0\]\. Give the Browser Session ID/) },
	]);
});

test('set to stop the workflow on error, a tool call fails as the node would', async () => {
	const result = await runWorkflow(
		line([node('Tool', 'witriumRunWorkflowTool', { workflowId: FAILING }, { onError: 'stopWorkflow' })], [chatItem]),
		{ credentials: credentials() },
	);
	expect(result.error?.message).toContain('Element not found: #pay');
});

test(`a large array result is cut to whole entries within ${TOOL_OUTPUT_LIMIT} characters, saying so`, async () => {
	const { answer } = await callTool('witriumRunWorkflow', { workflowId: HUGE_LIST });
	expect(JSON.stringify(answer).length).toBeLessThanOrEqual(TOOL_OUTPUT_LIMIT);
	const shown = answer[0].result as unknown[];
	expect(shown.length).toBeGreaterThan(100);
	expect(shown).toEqual(rows.slice(0, shown.length));
	expect(answer[0].truncated).toBe(
		`Cut to fit the ${TOOL_OUTPUT_LIMIT} characters of JSON a tool answers with: "result" holds its first ${shown.length} of 2000 entries.`,
	);
	expect(answer[0]).toMatchObject({ statusName: 'completed', workflowId: HUGE_LIST });
});

test('a large object result is cut as text, saying so', async () => {
	const { answer } = await callTool('witriumRunWorkflow', { workflowId: HUGE_TEXT });
	expect(JSON.stringify(answer).length).toBeLessThanOrEqual(TOOL_OUTPUT_LIMIT);
	expect(answer[0].result).toEqual(expect.stringMatching(/^\{"page":"xxx/));
	expect(answer[0].truncated).toMatch(/: "result" holds the first \d+ of its 50011 characters of JSON, as text\.$/);
});

test('many items are cut to whole items, with a last item saying how many were shown', () => {
	const items = Array.from({ length: 500 }, (_, i) => ({
		browserSessionId: `session-${i}`,
		status: 'active',
		provider: 'omega'.repeat(10),
	}));
	const bounded = boundToolOutput(items);
	expect(JSON.stringify(bounded).length).toBeLessThanOrEqual(TOOL_OUTPUT_LIMIT);
	const note = bounded[bounded.length - 1];
	expect(bounded.slice(0, -1)).toEqual(items.slice(0, bounded.length - 1));
	expect(note.truncated).toMatch(new RegExp(`^Showing ${bounded.length - 1} of 500 items`));
	expect(boundToolOutput(items.slice(0, 3))).toEqual(items.slice(0, 3));
});

const within = (answer: IDataObject[]) => expect(JSON.stringify(answer).length).toBeLessThanOrEqual(TOOL_OUTPUT_LIMIT);
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('the whole answer is bounded, steps and every other field included, each cut field named', () => {
	const steps = Array.from({ length: 400 }, (_, i) => ({
		instructionOrder: i + 1,
		instruction: `Step ${i + 1}`,
		statusName: 'completed',
		result: { text: 'y'.repeat(100) },
	}));
	const item = {
		runId: 'run-1',
		workflowId: 'wf-1',
		statusName: 'completed',
		result: rows,
		executions: steps,
		message: 'm'.repeat(30_000),
	};
	const bounded = boundToolOutput([item]);
	within(bounded);
	expect(bounded).toHaveLength(1);
	const [cut] = bounded;
	expect(cut).toMatchObject({ runId: 'run-1', workflowId: 'wf-1', statusName: 'completed' });
	const result = cut.result as unknown[];
	const executions = cut.executions as unknown[];
	expect(result.length).toBeGreaterThan(10);
	expect(result).toEqual(rows.slice(0, result.length));
	expect(executions.length).toBeGreaterThan(10);
	expect(executions).toEqual(steps.slice(0, executions.length));
	expect(cut.message).toEqual(expect.stringMatching(/^m{1000,}$/));
	expect(cut.truncated).toContain(`"result" holds its first ${result.length} of 2000 entries`);
	expect(cut.truncated).toContain(`"executions" holds its first ${executions.length} of 400 entries`);
	expect(cut.truncated).toContain(`"message" holds its first ${(cut.message as string).length} of 30000 characters`);
});

test('a first item over the bound still reaches the model, cut, followed by the note', () => {
	const items = [
		{ instructionOrder: 1, result: { page: 'z'.repeat(30_000) } },
		{ instructionOrder: 2, result: { page: 'short' } },
	];
	const bounded = boundToolOutput(items);
	within(bounded);
	expect(bounded).toHaveLength(2);
	expect(bounded[0]).toMatchObject({ instructionOrder: 1, result: expect.stringMatching(/^\{"page":"z{10000,}/) });
	expect(bounded[0].truncated).toMatch(/"result" holds the first \d+ of its 30011 characters of JSON, as text/);
	expect(bounded[1].truncated).toMatch(/^Showing 1 of 2 items \(the first cut\)/);
});

test('a cut never splits a UTF-16 surrogate pair', () => {
	// One character more or less before the cut moves it by one: each pair is split by one of them.
	for (const runId of ['r', 'r1']) {
		const [asText] = boundToolOutput([{ runId, result: { page: '😀'.repeat(20_000) } }]);
		within([asText]);
		expect(asText.result).toEqual(expect.stringMatching(/^\{"page":"😀😀/));
		expect(loneSurrogate.test(asText.result as string)).toBe(false);
		const [asString] = boundToolOutput([{ runId, message: '😀'.repeat(20_000) }]);
		within([asString]);
		expect(asString.message).toEqual(expect.stringMatching(/^(😀){1000,}$/u));
		expect(loneSurrogate.test(asString.message as string)).toBe(false);
	}
});

test('a talent that gives no answer in time: the model is told it may still be running, and not to call again blindly', async () => {
	const { answer } = await callTool('witriumRunTalent', { talentId: SLOW_TALENT, browserSessionId: '', options: { requestTimeout: 1 } });
	expect(answer).toEqual([{ error: expect.stringMatching(new RegExp(`^Talent ${SLOW_TALENT} gave no answer within 1 s`)) }]);
	expect(answer[0].error).toContain(
		'gave no answer within 1 s; it may have started and still be running in Witrium. Its result cannot be fetched later.',
	);
	expect(answer[0].error).toContain('Do not call this tool again');
	expect(sim.requests.filter((request) => request.endpoint === 'runTalent')).toHaveLength(1);
});

test('the model drives a session through the tools: create, run in it, close', async () => {
	const created = await callTool('witriumBrowserSession', { operation: 'create' });
	const { browserSessionId } = created.answer[0] as { browserSessionId: string };
	expect(created.answer[0]).toMatchObject({ status: 'active', isBusy: false });
	expect(Object.values(created.answer[0])).not.toContain(null);
	const ran = await callTool(
		'witriumRunWorkflow',
		{ workflowId: QUICK, browserSessionId: '={{ $json.browserSessionId }}' },
		{ browserSessionId },
	);
	expect(ran.answer[0]).toMatchObject({ browserSessionId, statusName: 'completed' });
	const closed = await callTool(
		'witriumBrowserSession',
		{ operation: 'close', browserSessionId: '={{ $json.browserSessionId }}' },
		{ browserSessionId },
	);
	expect(closed.answer).toEqual([{ browserSessionId, closed: true, status: 'closed', message: expect.any(String) }]);
	expect(sim.sessions().map((s) => s.status)).toEqual(['closed']);
});

test(`a workflow run as a tool waits at most ${TOOL_WAIT_SECONDS / 60} minutes by default; a talent, which cannot be cancelled or looked up, as long as the node does`, () => {
	const as = (type: string) => ({ getNode: () => ({ type }) as never });
	expect(defaultWaitSeconds(as('n8n-nodes-witrium.witriumRunWorkflowTool'), 900)).toBe(TOOL_WAIT_SECONDS);
	expect(defaultWaitSeconds(as('n8n-nodes-witrium.witriumRunWorkflow'), 900)).toBe(900);
	expect(talentWaitSeconds({})).toBe(DEFAULT_WAIT_SECONDS);
	expect(talentWaitSeconds({ requestTimeout: 60 })).toBe(60);
});

test('every tool text says which ids it needs and where they come from; a workflow run says how long it waits', () => {
	const toolText = (type: { description: { properties: Array<{ name: string; default?: unknown }> } }) =>
		type.description.properties.find((property) => property.name === 'toolDescription')?.default;
	expect(toolText(new WitriumRunWorkflow())).toMatch(
		/return its runId, status and result\. Uses a fresh browser unless given a browserSessionId from Witrium Browser Session\./,
	);
	expect(toolText(new WitriumRunWorkflow())).toContain(`Waits at most ${TOOL_WAIT_SECONDS / 60} minutes by default`);
	expect(toolText(new WitriumRunTalent())).toMatch(
		/unless given a browserSessionId from Witrium Browser Session\. A talent can take minutes and cannot be cancelled/,
	);
	expect(toolText(new WitriumBrowserSession())).toMatch(
		/Create returns a browserSessionId: pass it to Witrium Run Workflow or Run Talent .* and to Close when done/,
	);
	expect(toolText(new WitriumCancelRun())).toMatch(/by its runId \(from Witrium Run Workflow\)/);
});
