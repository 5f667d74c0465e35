import type { IConnections, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { WitriumSimulator } from '../../simulator';
import { runWorkflow, type WorkflowData, type WorkflowRunResult } from '../harness';

export const LOGIN = '11111111-1111-4111-8111-111111111111';
export const SCRAPE = '22222222-2222-4222-8222-222222222222';
export const TALENT = '44444444-4444-4444-8444-444444444444';

/** A simulator on a random loopback port for one test file, with the credential pointing at it. */
export function useSimulator() {
	const sim = new WitriumSimulator();
	const context = {
		sim,
		credentials: () => ({ witriumApi: { apiToken: sim.token, baseUrl: sim.url } }),
	};
	beforeAll(async () => {
		await sim.start();
	});
	afterEach(() => sim.reset());
	afterAll(async () => {
		await sim.stop();
	});
	return context;
}

let nodeCounter = 0;
export function node(name: string, type: string, parameters: INode['parameters'] = {}, extra: Partial<INode> = {}): INode {
	const typeVersion = type === 'n8n-nodes-base.set' ? 3.4 : 1;
	const fullType = type.includes('.') ? type : `n8n-nodes-witrium.${type}`;
	return { id: `n${++nodeCounter}`, name, type: fullType, typeVersion, position: [0, 0], parameters, ...extra };
}

/**
 * A straight line of nodes after a Manual Trigger named "Start". `items` are pinned on the
 * trigger, as the editor does with pinned data: they are what the first node receives.
 */
export function line(nodes: INode[], items?: IDataObject[]): WorkflowData {
	const start = node('Start', 'n8n-nodes-base.manualTrigger');
	const all = [start, ...nodes];
	const connections: IConnections = {};
	for (let i = 1; i < all.length; i++) {
		connections[all[i - 1].name] = { main: [[{ node: all[i].name, type: 'main', index: 0 }]] };
	}
	const pinned: INodeExecutionData[] | undefined = items?.map((json) => ({ json }));
	return { nodes: all, connections, pinData: pinned ? { Start: pinned } : undefined };
}

/** Output items of a node's output (default main output 0, first run), with their pairedItem. */
export function output(result: WorkflowRunResult, nodeName: string, outputIndex = 0): INodeExecutionData[] {
	const run = result.nodes[nodeName]?.[0];
	if (!run) throw new Error(`Node "${nodeName}" did not run${result.error ? `: ${result.error.message}` : ''}`);
	return run.items[outputIndex] ?? [];
}

export function nodeError(result: WorkflowRunResult, nodeName: string) {
	const error = result.nodes[nodeName]?.[0]?.error;
	if (!error) throw new Error(`Node "${nodeName}" did not fail`);
	return error;
}

/** Every string the token could leak into: output items and errors of every node. */
export function everythingShown(result: WorkflowRunResult): string {
	return JSON.stringify(
		Object.values(result.nodes).flatMap((runs) =>
			runs.map((run) => ({ items: run.items, error: run.error && { ...run.error, raw: String(run.error.raw) } })),
		),
	) + JSON.stringify(result.error ? { ...result.error, raw: String(result.error.raw) } : null);
}

type Credentials = () => Record<string, IDataObject>;

/** Browser Session's Close Idle (the janitor) with these idle minutes; the node is named "Janitor". */
export const runJanitor = (credentials: Credentials, idleMinutes: number) =>
	runWorkflow(line([node('Janitor', 'witriumBrowserSession', { operation: 'closeIdle', idleMinutes })]), { credentials: credentials() });

/** A browser session created through the Browser Session node; its id. */
export async function createSessionThroughNode(credentials: Credentials): Promise<string> {
	const created = await runWorkflow(line([node('Create', 'witriumBrowserSession', { operation: 'create' })]), { credentials: credentials() });
	return output(created, 'Create')[0].json.browserSessionId as string;
}
