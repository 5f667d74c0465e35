/**
 * The minimum n8n version is stated (package.json `engines.n8n`, README) and true: every node and
 * the credential load, and the package's own error mapping works, against n8n-workflow 1.83.0,
 * the first to export NodeConnectionTypes, which n8n 1.85.0 ships (n8n 1.82.x ships 1.80.x).
 * Everything newer the package uses (the execution cancel signal, execution hints, the poll
 * budget, n8n 2.x's egress filter) is feature-detected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

jest.mock('n8n-workflow', () => jest.requireActual('n8n-workflow-1.83'));

const root = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines?: Record<string, string>; n8n: { nodes: string[] } };

test('package.json and README state the same minimum n8n version, 1.85', () => {
	expect(packageJson.engines?.n8n).toBe('>=1.85.0');
	expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/n8n 1\.85 or later/);
});

test('with n8n-workflow 1.83.0, every node and the credential load with main inputs and outputs', () => {
	const oldWorkflow = jest.requireActual('n8n-workflow-1.83') as { NodeConnectionTypes: { Main: string } };
	expect(require('n8n-workflow')).toBe(oldWorkflow);
	for (const built of packageJson.n8n.nodes) {
		const source = built.replace(/^dist\//, '').replace(/\.js$/, '.ts');
		const exported = require(join(root, source)) as Record<string, new () => { description: { inputs: unknown; outputs: unknown } }>;
		const { description } = new (Object.values(exported)[0])();
		expect(description.outputs).toEqual([oldWorkflow.NodeConnectionTypes.Main]);
		if (!source.includes('Trigger')) expect(description.inputs).toEqual([oldWorkflow.NodeConnectionTypes.Main]);
	}
	const { WitriumApi } = require(join(root, 'credentials/WitriumApi.credentials')) as { WitriumApi: new () => { name: string } };
	expect(new WitriumApi().name).toBe('witriumApi');
});

test('with n8n-workflow 1.83.0, service and input errors become its NodeApiError and NodeOperationError', () => {
	const oldWorkflow = jest.requireActual('n8n-workflow-1.83') as { NodeApiError: Function; NodeOperationError: Function };
	const { toNodeError } = require('../../src/n8n/errors') as typeof import('../../src/n8n/errors');
	const { WitriumApiError, WitriumError } = require('../../src/client') as typeof import('../../src/client');
	const node = { id: '1', name: 'Run', type: 'n8n-nodes-witrium.witriumRunWorkflow', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const apiError = toNodeError(node, new WitriumApiError('Witrium API error 404 on GET /v1/runs/x/results: not found', { kind: 'http', status: 404, endpoint: 'GET /v1/runs/x/results', retryable: false }), 2);
	expect(apiError).toBeInstanceOf(oldWorkflow.NodeApiError);
	expect(apiError).toMatchObject({ httpCode: '404', context: { itemIndex: 2 } });
	expect(toNodeError(node, new WitriumError('bad input'), 0)).toBeInstanceOf(oldWorkflow.NodeOperationError);
});
