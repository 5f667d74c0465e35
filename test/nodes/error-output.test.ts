/**
 * On Error → Continue (using error output): error items keep the input item's fields on the
 * error output, so the error branch can still clean up: Close Session with its default Session
 * ID ({{ $json.browserSessionId }}) closes the session a failed run or talent ran in. (Found by
 * the soak: the error object on the item made n8n replace the JSON with `{ error }` alone, and
 * the session was left open.) Continue (regular output) keeps `{ error }` alone in line with the
 * other items, as n8n's own nodes do.
 */
import type { IConnections } from 'n8n-workflow';

import { runWorkflow } from '../harness';
import { node, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
const FAILS = '99999999-0000-4000-8000-000000000001';
const TALENT_FAILS = '99999999-0000-4000-8000-000000000002';
const SUCCEEDS = '99999999-0000-4000-8000-000000000003';

beforeAll(() =>
	sim.define({
		workflows: [
			{ id: FAILS, startDelayMs: 10, steps: [{ instruction: 'Click "Pay"', durationMs: 30 }], failAtStep: 1, errorMessage: 'Button not found' },
			{ id: SUCCEEDS, startDelayMs: 10, steps: [{ instruction: 'Read the page', durationMs: 30 }] },
		],
		talents: [{ id: TALENT_FAILS, durationMs: 30, fail: 'Could not read the page' }],
	}),
);

const ref = (name: string) => ({ node: name, type: 'main' as const, index: 0 });

test.each([
	['Run Workflow', 'witriumRunWorkflow', { workflowId: FAILS }],
	['Run Talent', 'witriumRunTalent', { talentId: TALENT_FAILS }],
])('a failed %s in a session goes to the error output with the session id; Close Session closes it', async (_, type, parameters) => {
	const connections: IConnections = {
		Start: { main: [[ref('Create Session')]] },
		'Create Session': { main: [[ref('Work')]] },
		Work: { main: [[], [ref('Close Session')]] },
	};
	const result = await runWorkflow(
		{
			nodes: [
				node('Start', 'n8n-nodes-base.manualTrigger'),
				node('Create Session', 'witriumBrowserSession'),
				node('Work', type, parameters, { onError: 'continueErrorOutput' }),
				node('Close Session', 'witriumBrowserSession', { operation: 'close' }),
			],
			connections,
		},
		{ credentials: credentials() },
	);
	const sessionId = output(result, 'Create Session')[0].json.browserSessionId;
	const [failed] = output(result, 'Work', 1);
	expect(failed.json).toMatchObject({ browserSessionId: sessionId, error: expect.stringMatching(/Button not found|Could not read the page/) });
	expect(output(result, 'Close Session')[0].json).toMatchObject({ browserSessionId: sessionId, closed: true });
	expect(sim.sessions().find((session) => session.sessionId === sessionId)?.status).toBe('closed');
});

test('with Continue (regular output) a failed item stays in the main output, in line, as `{ error }` alone (no session id)', async () => {
	const result = await runWorkflow(
		{
			nodes: [
				node('Start', 'n8n-nodes-base.manualTrigger'),
				node('Create Session', 'witriumBrowserSession'),
				node('Work', 'witriumRunWorkflow', { workflowId: "={{ $('Start').item.json.workflowId }}" }, { onError: 'continueRegularOutput' }),
			],
			connections: { Start: { main: [[ref('Create Session')]] }, 'Create Session': { main: [[ref('Work')]] } },
			pinData: { Start: [{ json: { workflowId: FAILS } }, { json: { workflowId: SUCCEEDS } }] },
		},
		{ credentials: credentials() },
	);
	const sessionIds = output(result, 'Create Session').map((item) => item.json.browserSessionId);
	const items = output(result, 'Work');
	expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	expect(items[0].json).toEqual({ error: expect.stringContaining('failed: Button not found') });
	expect(items[1].json).toMatchObject({ statusName: 'completed', browserSessionId: sessionIds[1] });
	expect(output(result, 'Work', 1)).toEqual([]);
});
