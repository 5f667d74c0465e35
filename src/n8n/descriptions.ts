import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { DEFAULT_MAX_POLL_INTERVAL_MS } from '../client';
import { TOOL_WAIT_SECONDS } from './tool';

/** Defaults of the options: the node descriptions show them, and the code reads them when an option is not set. */
export const DEFAULT_MAX_CONCURRENCY = 1;
/** As far as the benchmarks go (docs/benchmarks.md: 2,000 items at 200). */
export const MAX_CONCURRENCY = 200;
/** How long Run Workflow waits for a run, and Run Talent for its answer. */
export const DEFAULT_WAIT_SECONDS = 900;
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_POLL_INTERVAL_SECONDS = DEFAULT_MAX_POLL_INTERVAL_MS / 1000;
export const DEFAULT_LIST_LIMIT = 50;
export const DEFAULT_IDLE_MINUTES = 15;
export const WAIT_DEFAULT_NOTE = `Not set: ${DEFAULT_WAIT_SECONDS} s, or ${TOOL_WAIT_SECONDS} s when an AI agent calls this node as a tool.`;

/** Parameter definitions shared by several nodes, so each means the same everywhere. */

type Show = NonNullable<INodeProperties['displayOptions']>['show'];

const withShow = (property: INodeProperties, show?: Show): INodeProperties => (show ? { ...property, displayOptions: { show } } : property);

export const credentialsDescription: INodeTypeDescription['credentials'] = [{ name: 'witriumApi', required: true }];

export function argumentsProperties(show?: Show): INodeProperties[] {
	return [
		withShow(
			{
				displayName: 'Specify Arguments',
				name: 'specifyArguments',
				type: 'options',
				options: [
					{ name: 'Using Fields Below', value: 'keypair' },
					{ name: 'Using JSON', value: 'json' },
				],
				default: 'keypair',
				description: 'How to give the input arguments the automation expects',
			},
			show,
		),
		withShow(
			{
				displayName: 'Arguments',
				name: 'arguments',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Argument',
				default: {},
				options: [
					{
						name: 'argument',
						displayName: 'Argument',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
								placeholder: 'e.g. username',
								description: 'Name of the argument, as defined in Witrium',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
								placeholder: 'e.g. jane@example.com',
								description: 'A string or number',
							},
						],
					},
				],
				description: 'Input arguments of the automation. Leave empty to send none.',
			},
			{ ...show, specifyArguments: ['keypair'] },
		),
		withShow(
			{
				displayName: 'Arguments (JSON)',
				name: 'argumentsJson',
				type: 'json',
				default: '{}',
				placeholder: '{ "username": "jane@example.com", "page": 2 }',
				description: 'A JSON object of argument names to string or number values',
			},
			{ ...show, specifyArguments: ['json'] },
		),
	];
}

export function browserSessionIdProperty(show?: Show): INodeProperties {
	return withShow(
		{
			displayName: 'Browser Session ID',
			name: 'browserSessionId',
			type: 'string',
			default: '={{ $json.browserSessionId }}',
			placeholder: 'e.g. 6f1c…',
			description:
				'Run inside this existing browser session (e.g. from a Browser Session node). Empty = a fresh browser. Items that name the same session run one after another.',
			hint: 'Defaults to the Browser Session ID of the incoming item, so a browser session flows from node to node',
		},
		show,
	);
}

export const useStatesOption: INodeProperties = {
	displayName: 'Use States',
	name: 'useStates',
	type: 'string',
	default: '',
	placeholder: 'e.g. logged-in, cookie-consent',
	description:
		'Comma-separated names of saved browser states to restore. Witrium ignores run-level states inside a browser session: give them when creating the session instead.',
};

export const preserveStateOption: INodeProperties = {
	displayName: 'Preserve State',
	name: 'preserveState',
	type: 'string',
	default: '',
	placeholder: 'e.g. logged-in',
	description: 'Save the browser state (cookies, storage) under this name when the run completes',
};

export const binaryPropertyNamesOption: INodeProperties = {
	displayName: 'Input Binary Fields',
	name: 'binaryPropertyNames',
	type: 'string',
	default: '',
	placeholder: 'e.g. data, attachment',
	description: "Comma-separated names of the input item's binary fields to upload as files",
};

export const failOnRunFailureOption: INodeProperties = {
	displayName: 'Fail on Run Failure',
	name: 'failOnRunFailure',
	type: 'boolean',
	default: true,
	description: 'Whether a run that ends failed or cancelled is an error of its item. Turn off to output such runs with their status.',
};

export const maxConcurrencyOption: INodeProperties = {
	displayName: 'Max Concurrency',
	name: 'maxConcurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	default: DEFAULT_MAX_CONCURRENCY,
	description:
		'How many items run at once, each in its own browser. Items that name the same browser session always run one after another, in item order. Read from the first item: one value for the whole node.',
};

/** A wait on the service: what it bounds (one HTTP request, or a whole synchronous talent) is in its name. */
export function requestTimeoutOption(displayName: string, defaultSeconds: number, description: string): INodeProperties {
	return {
		displayName,
		name: 'requestTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: defaultSeconds,
		description,
	};
}

/**
 * What an AI agent is told this tool does. n8n describes a tool to the model with its
 * `toolDescription` parameter, and adds one defaulting to the node's panel description when the
 * node has none; declaring it here, on the tool variant only ('@tool'), keeps the panel text for
 * people and gives the model its own text (editable in the tool's panel, as n8n's own tools are).
 */
export function toolDescriptionProperty(text: string): INodeProperties {
	return {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: text,
		description: 'What the AI agent is told this tool does and needs. A precise description helps the model call it right.',
		displayOptions: { show: { '@tool': [true] } },
	};
}
