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
	WAIT_DEFAULT_NOTE,
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
		subtitle: '={{ "Talent " + $parameter["talentId"] }}',
		description:
			'Run a Witrium talent (a small AI browser skill) and return its result. Uses a fresh browser unless given a browserSessionId from Witrium Browser Session. As an AI tool it waits at most 5 minutes by default; a failed talent is an error saying why.',
		defaults: { name: 'Witrium Run Talent' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: [
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
					failOnRunFailureOption,
					maxConcurrencyOption,
					preserveStateOption,
					requestTimeoutOption(
						DEFAULT_WAIT_SECONDS,
						`Longest time to wait for the talent: the call returns only when it has finished. ${WAIT_DEFAULT_NOTE}`,
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
