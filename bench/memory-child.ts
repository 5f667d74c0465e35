/** The memory bench's child process: runs the Run Workflow node once and reports its memory. */
import { closeAllDispatchers } from '../src/client/dispatchers';
import { runWorkflow } from '../test/harness';
import { line, node, output } from '../test/nodes/helpers';
import type { ChildReport } from './memory';

interface Job {
	baseUrl: string;
	token: string;
	workflowId: string;
	warmUpId: string;
	expected: number;
}

process.once('message', (job: Job) => {
	void main(job).then(
		(report) => process.send!(report, () => process.exit(0)),
		(error: unknown) => {
			const report: Partial<ChildReport> = { ok: false, outputItems: 0, error: error instanceof Error ? error.message : String(error) };
			process.send!(report, () => process.exit(1));
		},
	);
});

async function main(job: Job): Promise<ChildReport> {
	const credentials = { witriumApi: { apiToken: job.token, baseUrl: job.baseUrl } };
	const workflow = (workflowId: string) =>
		line([node('Run', 'witriumRunWorkflow', { workflowId, options: { output: 'resultItems' } })]);

	// Load n8n-core and the node types first: the baseline is a process ready to run a workflow.
	await runWorkflow(workflow(job.warmUpId), { credentials });
	global.gc?.();
	const baseline = process.memoryUsage();
	const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed };
	const sample = () => {
		const now = process.memoryUsage();
		peak.rss = Math.max(peak.rss, now.rss);
		peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
	};
	// Timers do not fire while the engine runs a long chain of promise callbacks, so the run's
	// peak is also sampled once at its end, while its output is still held.
	const sampler = setInterval(sample, 20);

	const started = Date.now();
	let outputItems = 0;
	let error: string | undefined;
	try {
		const result = await runWorkflow(workflow(job.workflowId), { credentials });
		sample();
		if (result.error) error = result.error.message;
		else outputItems = output(result, 'Run').length;
	} finally {
		clearInterval(sampler);
	}
	const durationMs = Date.now() - started;
	await closeAllDispatchers();
	return {
		ok: error === undefined && outputItems === job.expected,
		outputItems,
		durationMs,
		baseline: { rss: baseline.rss, heapUsed: baseline.heapUsed },
		peak,
		// maxRSS is in kilobytes on Linux: the kernel's own high-water mark of the whole process.
		maxRssBytes: process.resourceUsage().maxRSS * 1024,
		error,
	};
}
