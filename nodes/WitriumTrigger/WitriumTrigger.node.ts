import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { argumentsProperties, credentialsDescription, failOnRunFailureOption, useStatesOption } from '../../src/n8n/descriptions';
import { DEFAULT_GIVE_UP_MINUTES, DEFAULT_MAX_WAIT_SECONDS, DEFAULT_REMEMBER_ITEMS, pollWitriumTrigger } from '../../src/n8n/trigger';

const onWorkflowResult = { event: ['workflowResult'] };

export class WitriumTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Witrium Trigger',
		name: 'witriumTrigger',
		icon: { light: 'file:witrium.svg', dark: 'file:witrium.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ {"workflowResult": "Workflow Result", "sessionChange": "Browser Session Started or Closed"}[$parameter["event"]] }}',
		description:
			'Starts the workflow on a schedule when a Witrium browser workflow returns a new result, or when a browser session starts or closes',
		defaults: { name: 'Witrium Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Workflow Result',
						value: 'workflowResult',
						description: 'Run a Witrium workflow on every poll and emit its result',
					},
					{
						name: 'Browser Session Started or Closed',
						value: 'sessionChange',
						description: 'Compare the open browser sessions with the last poll',
					},
				],
				default: 'workflowResult',
			},
			{
				displayName: 'Workflow ID',
				name: 'workflowId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
				description: 'ID of the Witrium workflow to run on every poll, as shown in the Witrium dashboard',
				displayOptions: { show: onWorkflowResult },
			},
			...argumentsProperties(onWorkflowResult),
			{
				displayName: 'Emit',
				name: 'emit',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'When the Result Changes',
						value: 'changed',
						description: 'One item when the result differs from the last one emitted (key order does not count)',
					},
					{
						name: 'On Every Run',
						value: 'always',
						description: 'One item for every run, changed or not',
					},
					{
						name: 'New Items in the Result',
						value: 'newItems',
						description: 'Split an array result and emit only the elements not seen before, one item each',
					},
				],
				default: 'changed',
				hint: 'The first poll emits the current result (or, for new items, every element), since nothing was emitted before. Every poll starts a run; one that takes longer than the poll is emitted by the next poll, which also starts the next run: never two runs at once. Fetch Test Event starts a real, paid run too, and waits for it up to Max Wait per Poll.',
				displayOptions: { show: onWorkflowResult },
			},
			{
				displayName: 'Dedupe Field',
				name: 'dedupeField',
				type: 'string',
				default: '',
				placeholder: 'e.g. sku',
				description:
					'Field that identifies a result element (a top-level field, or a dot path such as listing.sku). Empty = the whole element: any change to it makes it new. Elements without the field are identified by their whole content.',
				displayOptions: { show: { ...onWorkflowResult, emit: ['newItems'] } },
			},
			{
				displayName: 'Session Events',
				name: 'sessionEvents',
				type: 'multiOptions',
				options: [
					{ name: 'Started', value: 'started', description: 'A session is open that was not at the last poll' },
					{ name: 'Closed', value: 'closed', description: 'A session open at the last poll is closed or gone' },
				],
				default: ['started', 'closed'],
				hint: 'Activating sends nothing to Witrium; the first scheduled poll only records the open sessions, and events start with the second',
				displayOptions: { show: { event: ['sessionChange'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: onWorkflowResult },
				options: [
					{
						...failOnRunFailureOption,
						description:
							'Whether a run that ends failed or cancelled fails the poll: n8n records an error execution (and runs the error workflow) and the trigger stays active. Turn off to emit such runs as items with their status.',
					},
					{
						displayName: 'Give Up After (Minutes)',
						name: 'giveUpAfter',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: DEFAULT_GIVE_UP_MINUTES,
						description:
							'A run still going this long after it started is cancelled and reported as an error, so a stuck run cannot hold up the trigger. 0 = never.',
					},
					{
						displayName: 'Max Wait per Poll (Seconds)',
						name: 'maxWait',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_MAX_WAIT_SECONDS,
						description:
							"Longest time one poll waits for the run (n8n's poll budget may allow less). A run still going then is picked up by the next poll. Also bounds Fetch Test Event.",
					},
					{
						displayName: 'Remember Items',
						name: 'rememberItems',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 100000 },
						default: DEFAULT_REMEMBER_ITEMS,
						description:
							'How many result elements to remember as seen. The elements of the latest result are always remembered, however many; beyond this number, elements no longer in the result are forgotten (least recently seen first) and would be emitted again if they came back.',
						displayOptions: { show: { '/emit': ['newItems'] } },
					},
					{
						...useStatesOption,
						description: 'Comma-separated names of saved browser states (cookies, storage) to restore before each run',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollWitriumTrigger(this);
	}
}
