import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import {
	argumentsProperties,
	binaryPropertyNamesOption,
	browserSessionIdProperty,
	credentialsDescription,
	failOnRunFailureOption,
	DEFAULT_WAIT_SECONDS,
	maxConcurrencyOption,
	preserveStateOption,
	requestTimeoutOption,
	toolDescriptionProperty,
	useStatesOption,
} from '../../src/n8n/descriptions';
import { executeRunTalent } from '../../src/n8n/runTalentNode';
import { executeNodeOrTool } from '../../src/n8n/tool';

export class WitriumRunTalent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Witrium Run Talent',
		name: 'witriumRunTalent',
		icon: { light: 'file:witrium.svg', dark: 'file:witrium.dark.svg' },
		group: ['transform'],
		version: 1,
		// The talent's id says nothing to a reader; a node named after what the talent does does.
		subtitle: 'Run a talent',
		description: 'Run a Witrium talent (a small AI browser skill) and get its result',
		defaults: { name: 'Witrium Run Talent' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: [
			toolDescriptionProperty(
				'Run a Witrium talent (a small AI browser skill) and return its result. Uses a fresh browser unless given a browserSessionId from Witrium Browser Session. A talent can take minutes and cannot be cancelled: wait for its answer, and if none comes, do not call again for the same request unless the user asks. A failed talent is an error saying why.',
			),
			{
				displayName: 'Talent ID',
				name: 'talentId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. 8d0e6a52-0f4b-4c1e-9a57-2f1d3c4b5a69',
				description: 'ID of the Witrium talent, as shown in the Witrium dashboard',
			},
			...argumentsProperties(),
			browserSessionIdProperty(),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					binaryPropertyNamesOption,
					{
						...failOnRunFailureOption,
						description: 'Whether a talent that ends failed is an error of its item. Turn off to output failed talents with their status.',
					},
					maxConcurrencyOption,
					preserveStateOption,
					requestTimeoutOption(
						'Timeout (Seconds)',
						DEFAULT_WAIT_SECONDS,
						'Longest time to wait for the talent: the call returns only when it has finished. The same when an AI agent calls this node as a tool: a talent cannot be cancelled, so a shorter wait would leave it running. Read from the first item: one value for the whole node.',
					),
					useStatesOption,
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeNodeOrTool(this, executeRunTalent);
	}
}
