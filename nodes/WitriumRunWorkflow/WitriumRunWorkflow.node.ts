import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

import {
	argumentsProperties,
	binaryPropertyNamesOption,
	browserSessionIdProperty,
	credentialsDescription,
	failOnRunFailureOption,
	DEFAULT_MAX_POLL_INTERVAL_SECONDS,
	DEFAULT_REQUEST_TIMEOUT_SECONDS,
	DEFAULT_WAIT_SECONDS,
	maxConcurrencyOption,
	preserveStateOption,
	requestTimeoutOption,
	toolDescriptionProperty,
	WAIT_DEFAULT_NOTE,
	useStatesOption,
} from '../../src/n8n/descriptions';
import { executeRunWorkflow } from '../../src/n8n/runWorkflowNode';
import { TOOL_WAIT_SECONDS, executeNodeOrTool } from '../../src/n8n/tool';

const onRun = { operation: ['run'] };
// Options act only where they are shown: wait options while waiting, run output where a run is output.
const whileWaiting = { show: { '/waitFor': ['completed', 'running'] } };
const untilRunning = { show: { '/waitFor': ['running'] } };
const withRunOutput = { hide: { '/waitFor': ['nothing'] } };

const onTimeoutChoices = [
	{ name: 'Cancel Run and Fail', value: 'cancelAndFail', description: 'Cancel the run in Witrium, then fail the item' },
	{ name: 'Fail', value: 'fail', description: 'Fail the item and leave the run going' },
	{ name: 'Return Last State', value: 'returnLast', description: 'Output the run as last seen, with its current status' },
];

const allInstructionsExecutedOption: INodeProperties = {
	displayName: 'All Instructions Executed',
	name: 'allInstructionsExecuted',
	type: 'boolean',
	default: false,
	description: 'Whether, when waiting for Running, to also wait until every instruction so far has executed',
	displayOptions: untilRunning,
};

const includeStepsOption: INodeProperties = {
	displayName: 'Include Steps',
	name: 'includeSteps',
	type: 'boolean',
	default: false,
	description: 'Whether to add the executed steps (executions) to the run item',
};

const maxPollIntervalOption: INodeProperties = {
	displayName: 'Max Poll Interval (Seconds)',
	name: 'maxPollInterval',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_MAX_POLL_INTERVAL_SECONDS,
	description:
		'Longest pause between two status checks. Up to the default, checks start quick and come close together around when earlier runs of the workflow ended. Set it higher to save requests: a run older than this is checked once per this interval.',
	displayOptions: whileWaiting,
};

const outputOption: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	options: [
		{ name: 'Run', value: 'run', description: 'One item per run, with its status and result' },
		{
			name: 'Result Items',
			value: 'resultItems',
			description: 'One item per element of an array result (an object result stays one item)',
		},
		{ name: 'Steps', value: 'steps', description: 'One item per executed step' },
	],
	default: 'run',
	hint: "Result Items and Steps items carry no Browser Session ID: nodes further down reach the session with {{ $('Create Session').item.json.browserSessionId }} (the name of your Browser Session node)",
};

const requestTimeout = requestTimeoutOption(
	'HTTP Request Timeout (Seconds)',
	DEFAULT_REQUEST_TIMEOUT_SECONDS,
	'Longest time one HTTP request to Witrium may take; waiting for a run is bounded by Timeout instead. Read from the first item: one value for the whole node.',
);

const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: DEFAULT_WAIT_SECONDS,
	description: 'Longest time to wait for the run; 0 waits without limit. ' + WAIT_DEFAULT_NOTE,
	displayOptions: whileWaiting,
};

const onTimeoutOption = (fallback: string, description: string): INodeProperties => ({
	displayName: 'On Timeout',
	name: 'onTimeout',
	type: 'options',
	options: onTimeoutChoices,
	default: fallback,
	description,
	displayOptions: whileWaiting,
});

const runOptions: INodeProperties[] = [
	allInstructionsExecutedOption,
	binaryPropertyNamesOption,
	{ ...failOnRunFailureOption, displayOptions: whileWaiting },
	{ ...includeStepsOption, displayOptions: withRunOutput },
	maxConcurrencyOption,
	maxPollIntervalOption,
	{
		displayName: 'No Intelligence',
		name: 'noIntelligence',
		type: 'boolean',
		default: false,
		description: 'Whether to run without AI assistance',
	},
	onTimeoutOption('cancelAndFail', 'What to do when the run this node started has not reached the awaited status within the timeout'),
	{ ...outputOption, displayOptions: withRunOutput },
	preserveStateOption,
	{
		displayName: 'Record Session',
		name: 'recordSession',
		type: 'boolean',
		default: false,
		description: 'Whether to record the browser session',
	},
	requestTimeout,
	{
		displayName: 'Skip Go-To-URL Instruction',
		name: 'skipGotoUrlInstruction',
		type: 'boolean',
		default: false,
		description:
			'Whether to skip the workflow\'s first "go to URL" step, to continue where an earlier run in the same session left the browser',
	},
	timeoutOption,
	useStatesOption,
];

const getResultsOptions: INodeProperties[] = [
	{
		// Get Results reads any state, so by default a failed run is output, not an error.
		...failOnRunFailureOption,
		default: false,
		description:
			'Whether a run that has ended failed or cancelled is an error of its item (a run still going is output as it is). Turn on when Get Results ends a polling loop.',
	},
	includeStepsOption,
	maxConcurrencyOption,
	outputOption,
	requestTimeout,
];

const waitForRunOptions: INodeProperties[] = [
	allInstructionsExecutedOption,
	{ ...failOnRunFailureOption, displayOptions: whileWaiting },
	{ ...includeStepsOption, displayOptions: withRunOutput },
	maxConcurrencyOption,
	maxPollIntervalOption,
	// A run started elsewhere is someone else's: watching it never cancels it unless asked to.
	onTimeoutOption(
		'fail',
		'What to do when the run has not reached the awaited status within the timeout. The run was started elsewhere, so by default it is left going; pick Cancel Run and Fail to stop it.',
	),
	{ ...outputOption, displayOptions: withRunOutput },
	requestTimeout,
	timeoutOption,
];

/** Wait For, declared per operation: under Wait for Run, Nothing does not mean "wait later". */
function waitForProperty(operation: 'run' | 'waitForRun', nothing: string): INodeProperties {
	return {
		displayName: 'Wait For',
		name: 'waitFor',
		type: 'options',
		options: [
			{ name: 'Completed', value: 'completed', description: 'Wait until the run has finished and output its result' },
			{
				name: 'Running',
				value: 'running',
				description: 'Wait until the browser is up and the run has started (e.g. to chain runs in one session)',
			},
			{ name: 'Nothing', value: 'nothing', description: nothing },
		],
		default: 'completed',
		displayOptions: { show: { operation: [operation] } },
	};
}

/**
 * One Options collection per operation, each declaring an option once: n8n's "Add Option" gives an
 * option the default of the first declaration of its name, so the defaults that differ by operation
 * (On Timeout, Fail on Run Failure) need a collection each.
 */
function optionsOf(operation: string, options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options,
	};
}

export class WitriumRunWorkflow implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Witrium Run Workflow',
		name: 'witriumRunWorkflow',
		icon: { light: 'file:witrium.svg', dark: 'file:witrium.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"run": "Run", "getResults": "Get Results", "waitForRun": "Wait for Run"}[$parameter["operation"]] }}',
		description: 'Run a Witrium browser workflow and get its result, in a fresh browser or in a browser session',
		defaults: { name: 'Witrium Run Workflow' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: [
			toolDescriptionProperty(
				`Run a recorded Witrium browser workflow and return its runId, status and result. Uses a fresh browser unless given a browserSessionId from Witrium Browser Session. Waits at most ${TOOL_WAIT_SECONDS / 60} minutes by default; a failed run is an error naming the failed step.`,
			),
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Run', value: 'run', action: 'Run a workflow', description: 'Start a workflow run and wait for it as chosen below' },
					{
						name: 'Get Results',
						value: 'getResults',
						action: 'Get the results of a run',
						description: 'Read the current state and result of a run, and whether it has finished, without waiting',
					},
					{
						name: 'Wait for Run',
						value: 'waitForRun',
						action: 'Wait for a run',
						description: 'Wait for a run started earlier (e.g. with Wait For: Nothing)',
					},
				],
				default: 'run',
			},
			{
				displayName: 'Workflow ID',
				name: 'workflowId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
				description: 'ID of the Witrium workflow, as shown in the Witrium dashboard',
				displayOptions: { show: onRun },
			},
			{
				displayName: 'Run ID',
				name: 'runId',
				type: 'string',
				required: true,
				default: '={{ $json.runId }}',
				description: 'ID of the run, e.g. from a Run Workflow node',
				displayOptions: { show: { operation: ['getResults', 'waitForRun'] } },
			},
			...argumentsProperties(onRun),
			browserSessionIdProperty(onRun),
			waitForProperty('run', 'Output the run ID at once; wait later with "Wait for Run"'),
			waitForProperty('waitForRun', "Do not wait: read the run's state once and output it with `finished`, as Get Results does"),
			optionsOf('run', runOptions),
			optionsOf('getResults', getResultsOptions),
			optionsOf('waitForRun', waitForRunOptions),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeNodeOrTool(this, executeRunWorkflow);
	}
}
