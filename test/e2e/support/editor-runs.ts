/**
 * Running saved workflows through a started n8n's REST API, as the editor's "Execute
 * workflow" button does, and reading the execution back: for what `n8n execute` cannot do
 * (several executions side by side in one n8n, stopping an execution while it runs).
 *
 *   await n8n.startEditor();
 *   const run = await startExecution(n8n, 'wfId');           // {executionId}
 *   await stopExecution(n8n, run.executionId);                 // the editor's Stop button
 *   const done = await finishedExecution(n8n, run.executionId); // {status, items(node), ...}
 */
import path from 'node:path';

import { type IRun, type N8nUnderTest, type NodeErrorJson, n8nLib } from './n8n';

export interface FinishedExecution {
	status: string;
	output: IRun;
	items(nodeName: string, opts?: { output?: number; runIndex?: number }): Record<string, unknown>[];
	error(nodeName: string, opts?: { runIndex?: number }): NodeErrorJson | null;
}

/** POST /rest/workflows/:id/run from the Manual Trigger `trigger`; resolves once n8n has started it. */
export async function startExecution(n8n: N8nUnderTest, workflowId: string, trigger = 'Start'): Promise<{ executionId: string }> {
	const rest = await n8n.session();
	const saved = await rest.request('GET', `/rest/workflows/${workflowId}`);
	if (saved.status !== 200) throw new Error(`GET /rest/workflows/${workflowId}: ${saved.status} ${JSON.stringify(saved.body)}`);
	const started = await rest.request('POST', `/rest/workflows/${workflowId}/run`, {
		workflowData: saved.body.data, // 1.x runs the workflow in the body; 2.x reads its database
		triggerToStartFrom: { name: trigger },
	});
	const executionId = started.body?.data?.executionId as string | undefined;
	if (started.status !== 200 || !executionId) throw new Error(`running ${workflowId}: ${started.status} ${JSON.stringify(started.body)}`);
	return { executionId };
}

/** The editor's Stop button: POST /rest/executions/:id/stop. */
export async function stopExecution(n8n: N8nUnderTest, executionId: string): Promise<{ status: number; body: unknown }> {
	const rest = await n8n.session();
	return rest.request('POST', `/rest/executions/${executionId}/stop`);
}

/** Polls GET /rest/executions/:id until the execution has ended; its data un-flattened. */
export async function finishedExecution(n8n: N8nUnderTest, executionId: string, timeoutMs = 120_000): Promise<FinishedExecution> {
	const rest = await n8n.session();
	const n8nDir = (n8nLib.n8nPaths(n8n.line) as unknown as { n8nDir: string }).n8nDir;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(path.join(n8nDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };
	let execution: { status?: string; finished?: boolean; stoppedAt?: string | null; data: string } | undefined;
	for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 500))) {
		execution = (await rest.request('GET', `/rest/executions/${executionId}`)).body?.data;
		if (execution?.stoppedAt || (execution?.status && !['new', 'running', 'waiting'].includes(execution.status))) break;
		if (Date.now() - t0 > timeoutMs) throw new Error(`execution ${executionId} did not end within ${timeoutMs / 1000} s (status ${execution?.status})`);
	}
	const output = { data: flatted.parse(execution.data) } as IRun;
	return {
		status: execution.status ?? (execution.finished ? 'success' : 'unknown'),
		output,
		items: (nodeName, opts = {}) => n8nLib.runNodeItems(output, nodeName, opts),
		error: (nodeName, opts = {}) => n8nLib.runNodeError(output, nodeName, opts),
	};
}
