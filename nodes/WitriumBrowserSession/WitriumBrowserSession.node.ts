import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { executeBrowserSession } from '../../src/n8n/browserSessionNode';
import {
	credentialsDescription,
	DEFAULT_IDLE_MINUTES,
	preserveStateOption,
	toolDescriptionProperty,
	useStatesOption,
} from '../../src/n8n/descriptions';
import { executeNodeOrTool } from '../../src/n8n/tool';

export class WitriumBrowserSession implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Witrium Browser Session',
		name: 'witriumBrowserSession',
		icon: { light: 'file:witrium.svg', dark: 'file:witrium.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ {"create": "Create", "get": "Get", "getAll": "Get Many", "close": "Close", "closeIdle": "Close Idle"}[$parameter["operation"]] }}',
		description: 'Open, inspect and close Witrium cloud browsers that several runs can share',
		defaults: { name: 'Witrium Browser Session' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		properties: [
			toolDescriptionProperty(
				'Open, inspect and close Witrium cloud browser sessions. Create returns a browserSessionId: pass it to Witrium Run Workflow or Run Talent to keep working in that browser, and to Close when done. Get and Close need that id.',
			),
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Close', value: 'close', action: 'Close a browser session', description: 'Close a session and its browser' },
					{
						name: 'Close Idle',
						value: 'closeIdle',
						action: 'Close idle browser sessions',
						description: 'Close every session that is not busy and has been idle a while: schedule it so no browser is left running',
					},
					{
						name: 'Create',
						value: 'create',
						action: 'Create a browser session',
						description: 'Open a cloud browser that later runs can share',
					},
					{ name: 'Get', value: 'get', action: 'Get a browser session', description: 'Get the state of a session' },
					{ name: 'Get Many', value: 'getAll', action: 'Get many browser sessions', description: 'List the active sessions' },
				],
				default: 'create',
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				options: [{ name: 'Omega', value: 'omega', description: "Witrium's default browser" }],
				default: 'omega',
				description: 'Which browser Witrium runs',
				displayOptions: { show: { operation: ['create'] } },
			},
			{
				displayName: 'Use Proxy',
				name: 'useProxy',
				type: 'boolean',
				default: false,
				description: 'Whether to route the browser through a proxy',
				displayOptions: { show: { operation: ['create'] } },
			},
			{
				displayName: 'Proxy Country',
				name: 'proxyCountry',
				type: 'string',
				default: '',
				placeholder: 'e.g. uk',
				description: "Country of the proxy, as a two-letter code. Empty: Witrium's default (us).",
				displayOptions: { show: { operation: ['create'], useProxy: [true] } },
			},
			{
				displayName: 'Proxy City',
				name: 'proxyCity',
				type: 'string',
				default: '',
				placeholder: 'e.g. London',
				description:
					"City of the proxy, in the country above. Empty: Witrium's default (New York for us; for another country, leave it empty or name a city there).",
				displayOptions: { show: { operation: ['create'], useProxy: [true] } },
			},
			{
				displayName: 'Browser Session ID',
				name: 'browserSessionId',
				type: 'string',
				required: true,
				default: '={{ $json.browserSessionId }}',
				description: 'ID of the browser session, e.g. from a Create operation',
				displayOptions: { show: { operation: ['get', 'close'] } },
			},
			{
				displayName: 'Force',
				name: 'force',
				type: 'boolean',
				default: false,
				description: 'Whether to close the session even while a run is using it (the run is stopped)',
				displayOptions: { show: { operation: ['close'] } },
			},
			{
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				description: 'Whether to return all results or only up to a given limit',
				displayOptions: { show: { operation: ['getAll'] } },
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				// = DEFAULT_LIST_LIMIT; n8n's lint rule (node-param-default-wrong-for-limit) wants the literal here.
				default: 50,
				description: 'Max number of results to return',
				displayOptions: { show: { operation: ['getAll'], returnAll: [false] } },
			},
			{
				displayName: 'Idle Minutes',
				name: 'idleMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_IDLE_MINUTES,
				description: 'Close sessions that are not busy and have had no activity for at least this many minutes',
				displayOptions: { show: { operation: ['closeIdle'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { operation: ['create'] } },
				options: [
					{ ...preserveStateOption, description: 'Save the browser state under this name when the session closes' },
					{ ...useStatesOption, description: 'Comma-separated names of saved browser states to restore for every run in this session' },
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { operation: ['close'] } },
				options: [
					{
						...preserveStateOption,
						description: 'Save the browser state under this name as the session closes (overrides the name given at creation)',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeNodeOrTool(this, executeBrowserSession);
	}
}
