/**
 * `npm run bench`: measures waiting, parallel runs, node overhead and memory against the
 * simulator (loopback only), prints tables and the goals met or not, and writes the figures
 * to bench/results/<date>.json.
 *
 *   npm run bench                      the full bench (about 4 minutes)
 *   npm run bench -- --quick           a small smoke version (about 30 s), nothing written
 *   npm run bench -- --out=FILE        write the JSON elsewhere
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { closeAllDispatchers } from '../src/client';
import { runDetection, type DetectionResult } from './detection';
import { machine, round, table, type Goal } from './lib';
import { runMemory, type MemoryResult } from './memory';
import { runOverhead, runParallel, type OverheadResult, type ParallelResult } from './nodes';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outArg = args.find((arg) => arg.startsWith('--out='))?.slice('--out='.length);

const config = quick
	? { durationsS: [1, 3], factors: [0.9, 1.1], parallelItems: 10, runS: 1, overheadItems: 100, memoryElements: 10_000 }
	: { durationsS: [1, 3, 10, 30, 90], factors: [0.8, 0.9, 1, 1.1, 1.2], parallelItems: 50, runS: 3, overheadItems: 1000, memoryElements: 100_000 };

const log = (text: string) => process.stderr.write(`  … ${text}\n`);

async function main(): Promise<void> {
	const startedAt = new Date();
	const before = machine();
	console.log(`Witrium node bench — ${startedAt.toISOString()}${quick ? ' (quick)' : ''}`);
	console.log(`machine: ${before.nproc} CPUs (${before.cpuModel}), Node ${before.node}, ${before.platform}, load average ${before.loadAverage.join(' ')}`);
	console.log('');

	// Detection and the maxConcurrency 1 parallel run are both mostly waiting: they run side by
	// side so the bench takes ~3 minutes rather than ~5.
	log('detection and parallel (maxConcurrency 1) side by side');
	const [detection, serial] = await Promise.all([
		runDetection({ durationsS: config.durationsS, factors: config.factors, log }),
		runParallel({ items: config.parallelItems, runS: config.runS, maxConcurrency: 1 }),
	]);
	log('parallel (maxConcurrency 10)');
	const parallel10 = await runParallel({ items: config.parallelItems, runS: config.runS, maxConcurrency: 10 });
	const overhead = await runOverhead({ items: config.overheadItems, maxConcurrency: 10, log });
	const memory = await runMemory({ elements: config.memoryElements, log });
	const after = machine();

	const goals = evaluate(detection, parallel10, overhead, memory);
	printDetection(detection);
	printParallel([serial, parallel10]);
	printOverhead(overhead);
	printMemory(memory);
	printGoals(goals);
	console.log(`\nload average at the end: ${after.loadAverage.join(' ')} (1/5/15 min; ${after.nproc} CPUs)`);

	const report = {
		date: startedAt.toISOString(),
		quick,
		machine: { ...before, loadAverageAtEnd: after.loadAverage },
		detection: { ...detection, samples: detection.samples },
		parallel: [serial, parallel10],
		overhead,
		memory,
		goals,
		durationS: round((Date.now() - startedAt.getTime()) / 1000, 1),
	};
	if (!quick || outArg) {
		const file = outArg ?? path.join(__dirname, 'results', `${startedAt.toISOString().slice(0, 10)}.json`);
		mkdirSync(path.dirname(file), { recursive: true });
		writeFileSync(file, `${JSON.stringify(report, null, '\t')}\n`);
		console.log(`figures written to ${path.relative(process.cwd(), file)}`);
	}
	console.log(`bench took ${report.durationS} s`);
	await closeAllDispatchers();
}

function evaluate(detection: DetectionResult, parallel10: ParallelResult, overhead: OverheadResult, memory: MemoryResult): Goal[] {
	const mine = detection.strategies.find((s) => s.strategy === 'adaptive')!;
	const base = detection.strategies.find((s) => s.strategy === 'baseline')!;
	const medianRatio = round(mine.medianDetectionS / base.medianDetectionS);
	const requestRatio = round(mine.requests / base.requests);
	const overheadRatio = overhead.ratios['run and wait'];
	return [
		{
			name: 'detection: median',
			goal: '≤ 0.5× the baseline',
			value: `${mine.medianDetectionS} s vs ${base.medianDetectionS} s (${medianRatio}×)`,
			met: medianRatio <= 0.5,
		},
		{
			name: 'detection: requests',
			goal: '≤ 1.5× the baseline',
			value: `${mine.requests} vs ${base.requests} (${requestRatio}×)`,
			met: requestRatio <= 1.5,
		},
		{
			name: 'parallel at maxConcurrency 10',
			goal: '≤ 1.3× ideal',
			value: `${parallel10.wallS} s vs ${parallel10.idealS} s (${parallel10.ratio}×), ${parallel10.succeeded}/${parallel10.items} completed`,
			met: parallel10.ratio <= 1.3 && parallel10.succeeded === parallel10.items,
		},
		{
			name: 'overhead: node vs client',
			goal: '≥ 0.8× the client',
			value: `${overheadRatio}× run and wait (${overhead.ratios['submit only']}× submit only)`,
			met: overheadRatio >= 0.8,
		},
		{
			name: 'memory: large result',
			goal: 'completes',
			value: memory.completed
				? `${memory.outputItems} items in ${memory.durationS} s, peak RSS ${memory.peakRssMb} MB`
				: `failed: ${memory.error ?? `${memory.outputItems} items`}`,
			met: memory.completed,
		},
	];
}

function printDetection(detection: DetectionResult): void {
	console.log(`Detection: seconds from a run's end (simulator completedAt) to the waiter seeing it`);
	console.log(`(runs of ${detection.durationsS.join(', ')} s, each at ${detection.factors.join('/')}×, all at once; took ${detection.wallS} s)`);
	console.log(
		table(
			['strategy', 'runs', 'median s', 'mean s', 'p90 s', 'requests'],
			detection.strategies.map((s) => [s.label, s.runs, s.medianDetectionS.toFixed(2), s.meanDetectionS.toFixed(2), s.p90DetectionS.toFixed(2), s.requests]),
		),
	);
	console.log('\nBy run length: mean detection s (max) / requests');
	console.log(
		table(
			['run length', ...detection.strategies.map((s) => s.strategy)],
			detection.durationsS.map((nominalS, i) => [
				`${nominalS} s`,
				...detection.strategies.map((s) => {
					const d = s.byDuration[i];
					return `${d.meanDetectionS.toFixed(2)} (${d.maxDetectionS.toFixed(2)}) / ${d.requests}`;
				}),
			]),
		),
	);
	console.log('');
}

function printParallel(rows: ParallelResult[]): void {
	console.log('Parallel runs through the Run Workflow node (n8n-core engine)');
	console.log(
		table(
			['items × run', 'maxConcurrency', 'wall s', 'ideal s', 'ratio', 'completed', 'max at once'],
			rows.map((r) => [`${r.items} × ${r.runS} s`, r.maxConcurrency, r.wallS.toFixed(1), r.idealS.toFixed(1), `${r.ratio.toFixed(2)}×`, `${r.succeeded}/${r.items}`, r.maxRunsAtOnce]),
		),
	);
	console.log('');
}

function printOverhead(overhead: OverheadResult): void {
	console.log(`Overhead: ${overhead.items} instant runs, maxConcurrency ${overhead.maxConcurrency}, node vs bare client`);
	console.log(
		table(
			['mode', 'side', 'wall s', 'items/s', 'requests', 'node/client'],
			overhead.rows.map((r) => [r.mode, r.side, r.wallS.toFixed(2), r.perSecond.toFixed(1), r.requests, r.side === 'node' ? `${overhead.ratios[r.mode].toFixed(2)}×` : '']),
		),
	);
	console.log('');
}

function printMemory(memory: MemoryResult): void {
	console.log(`Memory: one run with a ${memory.elements.toLocaleString('en')}-element result (${memory.resultJsonMb} MB JSON), Output: Result Items, node in its own process`);
	console.log(
		table(
			['completed', 'items out', 'time s', 'RSS before MB', 'peak RSS MB', 'heap before MB', 'peak heap MB'],
			[[memory.completed ? 'yes' : 'NO', memory.outputItems, memory.durationS.toFixed(2), memory.baselineRssMb, memory.peakRssMb, memory.baselineHeapMb, memory.peakHeapMb]],
		),
	);
	console.log('');
}

function printGoals(goals: Goal[]): void {
	console.log('Goals (issue 6)');
	for (const goal of goals) console.log(`  [${goal.met ? 'met' : 'NOT MET'}] ${goal.name} ${goal.goal}: ${goal.value}`);
}

main().catch((error: unknown) => {
	console.error('bench failed:', error instanceof Error ? error.stack : error);
	process.exitCode = 1;
});
