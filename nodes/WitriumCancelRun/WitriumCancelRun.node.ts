import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { credentialsDescription, toolDescriptionProperty } from '../../src/n8n/descriptions';
import { executeCancelRun } from '../../src/n8n/cancelRunNode';
import { executeNodeOrTool } from '../../src/n8n/tool';

export class WitriumCancelRun implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Witrium Cancel Run',
		name: 'witriumCancelRun',
		icon: { light: 'file:witrium.svg', dark: 'file:witrium.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["options"]["closeSession"] ? "Cancel and Close Session" : "Cancel" }}',
		description: 'Cancel a Witrium workflow run, optionally closing its browser session',
		defaults: { name: 'Witrium Cancel Run' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: [
			toolDescriptionProperty(
				'Cancel a running Witrium workflow run by its runId (from Witrium Run Workflow), optionally closing its browser session. Returns the run with its final status.',
			),
			{
				displayName: 'Run ID',
				name: 'runId',
				type: 'string',
				required: true,
				default: '={{ $json.runId }}',
				description: 'ID of the run to cancel, e.g. from a Run Workflow node',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Close Session',
						name: 'closeSession',
						type: 'boolean',
						default: false,
						description: "Whether to also force-close the browser session the run was in, so the browser doesn't linger",
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeNodeOrTool(this, executeCancelRun);
	}
}
