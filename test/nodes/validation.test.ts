import type { IDataObject } from 'n8n-workflow';

import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
const QUICK = 'ffffffff-0000-4000-8000-000000000001';

const TALENT = 'ffffffff-0000-4000-8000-000000000002';
const FAILS = 'ffffffff-0000-4000-8000-000000000003';

beforeAll(() =>
	sim.define({
		workflows: [
			{ id: QUICK, startDelayMs: 0, steps: [{ instruction: 'x', durationMs: 20 }], result: { ok: true } },
			{ id: FAILS, startDelayMs: 0, steps: [{ instruction: 'x', durationMs: 20 }], failAtStep: 1, errorMessage: 'Broken on purpose' },
		],
		talents: [{ id: TALENT, durationMs: 20, result: { ok: true } }],
	}),
);

/** Runs one Run Workflow node with the item's own parameters through expressions, continuing on fail. */
async function runEach(parameters: IDataObject, items: IDataObject[]) {
	const result = await runWorkflow(line([node('Run', 'witriumRunWorkflow', parameters as never, { onError: 'continueErrorOutput' })], items), {
		credentials: credentials(),
	});
	return { ok: output(result, 'Run', 0), failed: output(result, 'Run', 1) };
}

test.each([
	['an empty id', '', 'Workflow ID is empty [item 1]'],
	['an id with a slash', 'abc/def', 'Workflow ID "abc/def" is not a valid id [item 1]'],
	['an id with a question mark', 'abc?x=1', 'is not a valid id'],
	['an id with white space', 'abc def', 'is not a valid id'],
])('%s is a clear error of its item; the other items still run', async (_, badId, message) => {
	const { ok, failed } = await runEach({ workflowId: '={{ $json.id }}', browserSessionId: '' }, [{ id: QUICK }, { id: badId }, { id: QUICK }]);
	expect(ok.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
	expect(failed).toHaveLength(1);
	expect(failed[0].json.error).toContain(message);
	expect(failed[0].pairedItem).toEqual({ item: 1 });
	expect(sim.runCount(QUICK)).toBe(2);
});

test.each([
	['JSON that is not an object', { specifyArguments: 'json', argumentsJson: '[1, 2]' }, 'Arguments (JSON) must be a JSON object'],
	['JSON that does not parse', { specifyArguments: 'json', argumentsJson: '{ "a": ' }, 'Arguments (JSON) is not valid JSON'],
	['an argument without a name', { arguments: { argument: [{ name: '', value: 'x' }] } }, 'Argument 1 has no name'],
	['an object value', { arguments: { argument: [{ name: 'filter', value: '={{ { "a": 1 } }}' }] } }, 'Argument "filter" is an object'],
	['an object value in JSON', { specifyArguments: 'json', argumentsJson: '{ "filter": { "a": 1 } }' }, 'Argument "filter" is an object'],
])('%s is a clear error that says what to fix', async (_, parameters, message) => {
	const result = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '', ...parameters } as never)], [{}]), {
		credentials: credentials(),
	});
	const error = nodeError(result, 'Run');
	expect(error.message).toContain(message);
	expect(error.itemIndex).toBe(0);
	expect(error.description).toMatch(/Write|Give|Pick/);
	expect(sim.runCount(QUICK)).toBe(0);
});

test('an invalid session id is refused before anything is sent', async () => {
	const { failed } = await runEach({ workflowId: QUICK, browserSessionId: '={{ $json.browserSessionId }}' }, [{ browserSessionId: '../v1/runs' }]);
	expect(failed[0].json.error).toContain('Browser Session ID "../v1/runs" is not a valid id');
	expect(sim.requests).toHaveLength(0);
});

test("a chat item's sessionId never reaches Witrium as a browser session", async () => {
	const chatItem = { sessionId: 'chat-7f3a9c', action: 'sendMessage', chatInput: 'check the prices' };
	const runs = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: QUICK }), node('Talent', 'witriumRunTalent', { talentId: TALENT })], [chatItem]), {
		credentials: credentials(),
	});
	expect(output(runs, 'Run')[0].json).toMatchObject({ status: 'C', browserSessionId: null });
	expect(output(runs, 'Talent')[0].json).toMatchObject({ talentId: TALENT, browserSessionId: null });
	expect(sim.requests.map((request) => request.path)).toEqual(expect.arrayContaining([`/v1/workflows/${QUICK}/run`, `/v1/talents/${TALENT}/run`]));
	for (const request of sim.requests) expect(JSON.stringify(request)).not.toContain('chat-7f3a9c');
});

test('without continue-on-fail, a bad item fails the node: no item starts after it, the one already running finishes', async () => {
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: '={{ $json.id }}', browserSessionId: '', options: { maxConcurrency: 2 } })], [{ id: QUICK }, { id: '' }, { id: QUICK }]),
		{ credentials: credentials() },
	);
	const error = nodeError(result, 'Run');
	expect(error.message).toBe('Workflow ID is empty [item 1]');
	expect(error.itemIndex).toBe(1);
	expect(error.description).toContain('{{ $json.workflowId }}');
	expect(sim.runCount(QUICK)).toBe(1);
	expect(sim.runs().every((run) => run.status === 'C')).toBe(true);
});

test('without continue-on-fail, a failed run stops the items after it: nothing more is submitted, the first failure is thrown', async () => {
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: '={{ $json.id }}', browserSessionId: '' })], [{ id: QUICK }, { id: FAILS }, { id: QUICK }, { id: QUICK }]),
		{ credentials: credentials() },
	);
	expect(nodeError(result, 'Run')).toMatchObject({ itemIndex: 1, message: expect.stringContaining('failed: Broken on purpose') });
	expect(sim.runs().map((run) => [run.definitionId, run.status])).toEqual([
		[QUICK, 'C'],
		[FAILS, 'F'],
	]);
});

test('continueRegularOutput puts the error item in line with the successful ones', async () => {
	const result = await runWorkflow(
		line([node('Run', 'witriumRunWorkflow', { workflowId: '={{ $json.id }}', browserSessionId: '' }, { onError: 'continueRegularOutput' })], [{ id: 'x y' }, { id: QUICK }]),
		{ credentials: credentials() },
	);
	const items = output(result, 'Run');
	expect(items.map((item) => Object.keys(item.json).includes('error'))).toEqual([true, false]);
	expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
});
