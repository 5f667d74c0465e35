/**
 * Get Results in a loop (Run with Wait For = Nothing -> Wait -> Get Results -> IF finished): it says
 * whether the run has ended (`finished`), never fails on a run still going, and with Fail on Run
 * Failure a run that ended failed is an error of its item, as it is for Run. Wait for Run with Wait
 * For = Nothing reads the run once, as Get Results does.
 */
import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

const ONE_SECOND = 'abababab-0000-4000-8000-000000000001';
const FAILS_AFTER_A_SECOND = 'abababab-0000-4000-8000-000000000002';

beforeAll(() =>
	sim.define({
		workflows: [
			{ id: ONE_SECOND, startDelayMs: 20, steps: [{ instruction: 'Export the report', durationMs: 1000 }], result: { rows: 3 }, resultFormat: 'json' },
			{
				id: FAILS_AFTER_A_SECOND,
				startDelayMs: 20,
				steps: [
					{ instruction: 'Open checkout', durationMs: 1000 },
					{ instruction: 'Click #pay', durationMs: 30 },
				],
				failAtStep: 2,
				errorMessage: 'Element not found: #pay',
			},
		],
	}),
);

const start = (workflowId: string) => node('Start Run', 'witriumRunWorkflow', { workflowId, browserSessionId: '', waitFor: 'nothing' });
const getResults = (name: string, options = {}) => node(name, 'witriumRunWorkflow', { operation: 'getResults', options });
const waitForRun = () => node('Wait for Run', 'witriumRunWorkflow', { operation: 'waitForRun', options: { failOnRunFailure: false } });

test('Get Results says whether the run has finished: false while it goes, true once it ended', async () => {
	const result = await runWorkflow(line([start(ONE_SECOND), getResults('While Going'), waitForRun(), getResults('Once Ended')]), { credentials: credentials() });
	expect(result.error).toBeUndefined();
	const runId = output(result, 'Start Run')[0].json.runId;
	expect(output(result, 'While Going')[0].json).toMatchObject({ runId, statusName: expect.stringMatching(/^(pending|running)$/), finished: false, result: null });
	expect(output(result, 'Once Ended')[0].json).toMatchObject({ runId, statusName: 'completed', finished: true, result: { rows: 3 } });
	expect(sim.runCount(ONE_SECOND)).toBe(1);
});

test('Fail on Run Failure on Get Results: a run still going is output, a run that ended failed is an error naming the step; off by default', async () => {
	const result = await runWorkflow(
		line([
			start(FAILS_AFTER_A_SECOND),
			getResults('While Going', { failOnRunFailure: true }),
			waitForRun(),
			getResults('Default'),
			getResults('Failing', { failOnRunFailure: true }),
		]),
		{ credentials: credentials() },
	);
	expect(output(result, 'While Going')[0].json).toMatchObject({ finished: false });
	expect(output(result, 'Default')[0].json).toMatchObject({ statusName: 'failed', finished: true, errorMessage: 'Element not found: #pay' });
	const error = nodeError(result, 'Failing');
	expect(error.message).toContain('failed');
	expect(error.description).toContain('Step 2 "Click #pay" failed: Element not found: #pay');
	expect(error.itemIndex).toBe(0);
});

test('Wait for Run with Wait For: Nothing does not wait: it reads the run once and outputs it with finished', async () => {
	const readOnce = (name: string) => node(name, 'witriumRunWorkflow', { operation: 'waitForRun', waitFor: 'nothing' });
	const result = await runWorkflow(line([start(ONE_SECOND), readOnce('While Going'), waitForRun(), readOnce('Once Ended')]), { credentials: credentials() });
	expect(result.error).toBeUndefined();
	const runId = output(result, 'Start Run')[0].json.runId;
	expect(output(result, 'While Going')[0].json).toMatchObject({ runId, statusName: expect.stringMatching(/^(pending|running)$/), finished: false });
	expect(output(result, 'Once Ended')[0].json).toMatchObject({ runId, statusName: 'completed', finished: true, result: { rows: 3 } });
});
