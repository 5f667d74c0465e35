/** The batch bench's child process: runs the Run Workflow node over many items and reports its cost. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { closeAllDispatchers } from '../src/client/dispatchers';
import { runWorkflow } from '../test/harness';
import { line, node, output } from '../test/nodes/helpers';
import type { BatchChildReport, BatchJob } from './batch';

process.once('message', (job: BatchJob) => {
	void main(job).then(
		(report) => process.send!(report, () => process.exit(0)),
		(error: unknown) => {
			const report: Partial<BatchChildReport> = { ok: false, succeeded: 0, error: error instanceof Error ? error.message : String(error) };
			process.send!(report, () => process.exit(1));
		},
	);
});

async function main(job: BatchJob): Promise<BatchChildReport> {
	const credentials = { witriumApi: { apiToken: job.token, baseUrl: job.baseUrl } };
	const workflow = (workflowId: string, items: number) =>
		line(
			[
				node('Run', 'witriumRunWorkflow', {
					workflowId,
					arguments: { argument: [{ name: 'item', value: '={{ $json.item }}' }] },
					options: { maxConcurrency: job.maxConcurrency },
				} as never),
			],
			Array.from({ length: items }, (_, item) => ({ item })),
		);

	// Load n8n-core and the node types first: the baseline is a process ready to run a workflow.
	await runWorkflow(workflow('warm-up', 20), { credentials });
	const baselineRssBytes = process.memoryUsage().rss;
	const delay = monitorEventLoopDelay({ resolution: 10 });
	delay.enable();
	const started = Date.now();
	const result = await runWorkflow(workflow(job.workflowId, job.items), { credentials });
	const wallMs = Date.now() - started;
	delay.disable();
	await closeAllDispatchers();
	const error = result.error?.message;
	const succeeded = error ? 0 : output(result, 'Run').filter((item) => item.json.status === 'C').length;
	const ms = (ns: number) => Math.round(ns / 1e5) / 10;
	return {
		ok: !error && succeeded === job.items,
		succeeded,
		wallMs,
		baselineRssBytes,
		// maxRSS is in kilobytes on Linux: the kernel's own high-water mark of the whole process.
		maxRssBytes: process.resourceUsage().maxRSS * 1024,
		eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
		error,
	};
}
