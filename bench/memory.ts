/**
 * Memory: one run whose result is a large array (100,000 elements, about 20 MB of JSON),
 * output as one item per element (Output: Result Items). The simulator runs in this process;
 * the node runs in a child process of its own, so its memory is measured alone: resident set
 * size (the kernel's high-water mark) and V8 heap used (sampled every 20 ms and at the end of
 * the run, with its output still held: a lower bound of the true peak).
 */
import { fork } from 'node:child_process';
import path from 'node:path';

import { WitriumSimulator } from '../simulator';
import { mb, round } from './lib';

export interface MemoryResult {
	elements: number;
	resultJsonMb: number;
	completed: boolean;
	outputItems: number;
	durationS: number;
	baselineRssMb: number;
	peakRssMb: number;
	baselineHeapMb: number;
	peakHeapMb: number;
	error?: string;
}

export interface ChildReport {
	ok: boolean;
	outputItems: number;
	durationMs: number;
	baseline: { rss: number; heapUsed: number };
	peak: { rss: number; heapUsed: number };
	maxRssBytes: number;
	error?: string;
}

export function bigResult(elements: number): Array<Record<string, unknown>> {
	return Array.from({ length: elements }, (_, i) => ({
		id: i,
		sku: `SKU-${String(i).padStart(7, '0')}`,
		title: `Product ${i}: stainless steel water bottle, 750 ml, keeps drinks cold for 24 hours`,
		price: Math.round((5 + (i % 500) * 0.37) * 100) / 100,
		currency: 'EUR',
		inStock: i % 7 !== 0,
		url: `https://shop.example/products/${i}`,
	}));
}

export async function runMemory(options: { elements: number; log?: (line: string) => void }): Promise<MemoryResult> {
	const sim = new WitriumSimulator();
	await sim.start();
	const result = bigResult(options.elements);
	const resultJsonMb = mb(Buffer.byteLength(JSON.stringify(result)));
	sim.define({
		workflows: [
			{ id: 'big-result', startDelayMs: 50, steps: [{ instruction: 'Scrape the catalogue', durationMs: 200 }], result },
			{ id: 'warm-up', startDelayMs: 0, steps: [], result: [{ ok: true }] },
		],
	});
	options.log?.(`memory: result of ${options.elements} elements, ${resultJsonMb} MB of JSON`);
	try {
		const report = await new Promise<ChildReport>((resolve, reject) => {
			const child = fork(path.join(__dirname, 'memory-child.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
			let answered = false;
			child.on('message', (message) => {
				answered = true;
				resolve(message as ChildReport);
			});
			child.on('error', reject);
			child.on('exit', (code) => {
				if (!answered) reject(new Error(`the memory child exited with code ${code} without a report`));
			});
			child.send({ baseUrl: sim.url, token: sim.token, workflowId: 'big-result', warmUpId: 'warm-up', expected: options.elements });
		});
		return {
			elements: options.elements,
			resultJsonMb,
			completed: report.ok && report.outputItems === options.elements,
			outputItems: report.outputItems,
			durationS: round(report.durationMs / 1000),
			baselineRssMb: mb(report.baseline.rss),
			peakRssMb: mb(Math.max(report.peak.rss, report.maxRssBytes)),
			baselineHeapMb: mb(report.baseline.heapUsed),
			peakHeapMb: mb(report.peak.heapUsed),
			error: report.error,
		};
	} finally {
		await sim.stop();
	}
}
