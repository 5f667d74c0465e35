/**
 * Run Workflow's options show only where they act, and start at their documented defaults when added,
 * computed the way n8n's editor does (n8n-workflow's getNodeParameters, displayParameter(Path), and the
 * first declaration of a name); and Wait for Run leaves a run started elsewhere going
 * on timeout unless told to cancel it.
 */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { WitriumBrowserSession } from '../../nodes/WitriumBrowserSession/WitriumBrowserSession.node';
import { WitriumCancelRun } from '../../nodes/WitriumCancelRun/WitriumCancelRun.node';
import { WitriumRunTalent } from '../../nodes/WitriumRunTalent/WitriumRunTalent.node';
import { WitriumRunWorkflow } from '../../nodes/WitriumRunWorkflow/WitriumRunWorkflow.node';
import { WitriumTrigger } from '../../nodes/WitriumTrigger/WitriumTrigger.node';
import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { description } = new WitriumRunWorkflow();
const editorNode = { typeVersion: 1 };

/**
 * The options "Add Option" offers for these parameter values, with the value each starts with.
 * As n8n's editor does: the Options collection shown for these values lists the options whose
 * display rules pass, and adding one gives it the default of the FIRST option of that name in the
 * collection, whatever display rules a later one of the same name has.
 */
function offered(values: INodeParameters): Record<string, unknown> {
	const parameters = NodeHelpers.getNodeParameters(description.properties, values, true, false, editorNode, description) ?? {};
	const collections = description.properties.filter(
		(property) => property.name === 'options' && NodeHelpers.displayParameter(parameters, property, editorNode, description),
	);
	expect(collections).toHaveLength(1);
	const options = collections[0].options as INodeProperties[];
	const shown: Record<string, unknown> = {};
	for (const option of options) {
		if (NodeHelpers.displayParameterPath({ parameters }, option, 'parameters.options', editorNode, description)) {
			shown[option.name] = options.find((first) => first.name === option.name)?.default;
		}
	}
	return shown;
}
const optionNamed = (values: INodeParameters, name: string) => {
	const parameters = NodeHelpers.getNodeParameters(description.properties, values, true, false, editorNode, description) ?? {};
	const collection = description.properties.find(
		(property) => property.name === 'options' && NodeHelpers.displayParameter(parameters, property, editorNode, description),
	);
	return (collection?.options as INodeProperties[]).find((option) => option.name === name);
};

const RUN_ONLY = ['binaryPropertyNames', 'noIntelligence', 'preserveState', 'recordSession', 'skipGotoUrlInstruction', 'useStates'];
const WHILE_WAITING = ['failOnRunFailure', 'maxPollInterval', 'onTimeout', 'timeout'];
const RUN_OUTPUT = ['includeSteps', 'output'];
const EVERYWHERE = ['maxConcurrency', 'requestTimeout'];
const sorted = (names: string[]) => [...names].sort();

test.each([
	['Run, Wait For Completed', { operation: 'run', waitFor: 'completed' }, [...RUN_ONLY, ...WHILE_WAITING, ...RUN_OUTPUT, ...EVERYWHERE]],
	[
		'Run, Wait For Running',
		{ operation: 'run', waitFor: 'running' },
		[...RUN_ONLY, ...WHILE_WAITING, ...RUN_OUTPUT, ...EVERYWHERE, 'allInstructionsExecuted'],
	],
	['Run, Wait For Nothing', { operation: 'run', waitFor: 'nothing' }, [...RUN_ONLY, ...EVERYWHERE]],
	['Get Results', { operation: 'getResults' }, [...RUN_OUTPUT, ...EVERYWHERE, 'failOnRunFailure']],
	['Wait for Run', { operation: 'waitForRun', waitFor: 'completed' }, [...WHILE_WAITING, ...RUN_OUTPUT, ...EVERYWHERE]],
	['Wait for Run, Wait For Nothing (one read)', { operation: 'waitForRun', waitFor: 'nothing' }, EVERYWHERE],
	[
		'Wait for Run until Running',
		{ operation: 'waitForRun', waitFor: 'running' },
		[...WHILE_WAITING, ...RUN_OUTPUT, ...EVERYWHERE, 'allInstructionsExecuted'],
	],
])('%s offers only the options that act there', (_, values, expected) => {
	expect(sorted(Object.keys(offered(values)))).toEqual(sorted(expected));
});

test('adding On Timeout starts it at Cancel Run and Fail for a run this node starts, at Fail for a run started elsewhere', () => {
	expect(offered({ operation: 'run', waitFor: 'completed' }).onTimeout).toBe('cancelAndFail');
	expect(offered({ operation: 'waitForRun', waitFor: 'completed' }).onTimeout).toBe('fail');
	expect(optionNamed({ operation: 'waitForRun', waitFor: 'completed' }, 'onTimeout')?.description).toMatch(
		/started elsewhere, so by default it is left going/,
	);
});

test('adding Fail on Run Failure starts it on where the node waits, off for Get Results (which reads any state)', () => {
	expect(offered({ operation: 'run', waitFor: 'completed' }).failOnRunFailure).toBe(true);
	expect(offered({ operation: 'getResults' }).failOnRunFailure).toBe(false);
});

test('Wait For: Nothing says what it does under each operation', () => {
	const nothing = (operation: string) =>
		(
			description.properties.find(
				(property) => property.name === 'waitFor' && NodeHelpers.displayParameter({ operation }, property, editorNode, description),
			)?.options as Array<{ value: string; description: string }>
		).find((choice) => choice.value === 'nothing')?.description;
	expect(nothing('run')).toMatch(/wait later with "Wait for Run"/);
	expect(nothing('waitForRun')).toMatch(/read the run's state once and output it with `finished`/);
});

test('Output says how to reach the browser session id from Result Items and Steps', () => {
	expect(optionNamed({ operation: 'run', waitFor: 'completed' }, 'output')?.hint).toContain(
		"{{ $('Create Session').item.json.browserSessionId }}",
	);
});

describe('Wait for Run on timeout', () => {
	const { sim, credentials } = useSimulator();
	const ENDLESS = 'efefefef-0000-4000-8000-000000000001';
	beforeAll(() => sim.define({ workflows: [{ id: ENDLESS, startDelayMs: 0, steps: [{ instruction: 'Watch me', durationMs: 600_000 }] }] }));

	const startElsewhere = async () => {
		const started = await runWorkflow(
			line([node('Start Elsewhere', 'witriumRunWorkflow', { workflowId: ENDLESS, browserSessionId: '', waitFor: 'nothing' })]),
			{
				credentials: credentials(),
			},
		);
		return output(started, 'Start Elsewhere')[0].json.runId as string;
	};
	const watch = (runId: string, options: object) =>
		runWorkflow(line([node('Watch', 'witriumRunWorkflow', { operation: 'waitForRun', runId, options: { timeout: 1, ...options } })]), {
			credentials: credentials(),
		});

	test('by default fails and leaves the run started elsewhere going', async () => {
		const runId = await startElsewhere();
		const error = nodeError(await watch(runId, {}), 'Watch');
		expect(error.message).toContain(`Run ${runId}`);
		expect(error.description).toContain('The run is still going');
		expect(sim.requests.filter((request) => request.endpoint === 'cancelRun')).toHaveLength(0);
		expect(sim.runs()[0].status).toBe('R');
	});

	test('with Cancel Run and Fail picked, cancels it', async () => {
		const runId = await startElsewhere();
		const error = nodeError(await watch(runId, { onTimeout: 'cancelAndFail' }), 'Watch');
		expect(error.description).toContain('The run was cancelled');
		expect(sim.runs()[0].status).toBe('X');
	});
});

test("no collection of any node declares an option name twice (adding it would start at the first one's default)", () => {
	const nodes = [
		new WitriumRunWorkflow(),
		new WitriumRunTalent(),
		new WitriumBrowserSession(),
		new WitriumCancelRun(),
		new WitriumTrigger(),
	];
	const repeated = nodes.flatMap(({ description: { name, properties } }) =>
		properties
			.filter((property) => property.type === 'collection')
			.flatMap((collection) => {
				const names = (collection.options as INodeProperties[]).map((option) => option.name);
				return names.filter((option, index) => names.indexOf(option) !== index).map((option) => `${name} ${collection.name}.${option}`);
			}),
	);
	expect(repeated).toEqual([]);
});
