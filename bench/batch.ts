/**
 * Large batch: many short runs through the Run Workflow node at a high Max Concurrency, against
 * the ideal (items / concurrency × run length). The simulator runs in this process; the node runs
 * in a child process of its own, so its peak memory and event-loop delay are its own.
 */
import { fork } from 'node:child_process';
import path from 'node:path';

import { WitriumSimulator } from '../simulator';
import { workflowFor } from './detection';
import { mb, round } from './lib';

export interface BatchJob {
	baseUrl: string;
	token: string;
	workflowId: string;
	items: number;
	maxConcurrency: number;
}

export interface BatchChildReport {
	ok: boolean;
	succeeded: number;
	wallMs: number;
	baselineRssBytes: number;
	maxRssBytes: number;
	eventLoopDelayMs: { p50: number; p99: number; max: number };
	error?: string;
}

export interface BatchResult {
	items: number;
	runS: number;
	maxConcurrency: number;
	wallS: number;
	idealS: number;
	ratio: number;
	succeeded: number;
	maxRunsAtOnce: number;
	pollsPerRun: number;
	baselineRssMb: number;
	peakRssMb: number;
	eventLoopDelayMs: { p50: number; p99: number; max: number };
	error?: string;
}

export async function runBatch(options: { items: number; runS: number; maxConcurrency: number; log?: (line: string) => void }): Promise<BatchResult> {
	const sim = new WitriumSimulator();
	await sim.start();
	const workflowId = `batch-${options.runS}s`;
	sim.define({ workflows: [workflowFor(workflowId, options.runS * 1000), { id: 'warm-up', startDelayMs: 0, steps: [], result: { ok: true } }] });
	options.log?.(`batch: ${options.items} items of ${options.runS} s runs at Max Concurrency ${options.maxConcurrency}`);
	try {
		const job: BatchJob = { baseUrl: sim.url, token: sim.token, workflowId, items: options.items, maxConcurrency: options.maxConcurrency };
		const report = await new Promise<BatchChildReport>((resolve, reject) => {
			const child = fork(path.join(__dirname, 'batch-child.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
			let answered = false;
			child.on('message', (message) => {
				answered = true;
				resolve(message as BatchChildReport);
			});
			child.on('error', reject);
			child.on('exit', (code) => {
				if (!answered) reject(new Error(`the batch child exited with code ${code} without a report`));
			});
			child.send(job);
		});
		const idealS = (options.items / options.maxConcurrency) * options.runS;
		const wallS = report.wallMs / 1000;
		const runs = sim.runCount(workflowId);
		const polls = sim.requests.filter((request) => request.endpoint === 'getResults').length;
		return {
			...options,
			wallS: round(wallS),
			idealS: round(idealS),
			ratio: round(wallS / idealS),
			succeeded: report.succeeded,
			maxRunsAtOnce: sim.maxConcurrentRuns(),
			pollsPerRun: round(polls / Math.max(1, runs), 1),
			baselineRssMb: mb(report.baselineRssBytes),
			peakRssMb: mb(report.maxRssBytes),
			eventLoopDelayMs: report.eventLoopDelayMs,
			error: report.error,
		};
	} finally {
		await sim.stop();
	}
}
