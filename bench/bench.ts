/**
 * `npm run bench`: measures waiting, large batches, parallel runs, node overhead and memory
 * against the simulator (loopback only), prints tables and the goals met or not, and writes the
 * figures to bench/results/<date>.json.
 *
 *   npm run bench                      the full bench (about 31 minutes: 6 runs of ~300 s in a row)
 *   npm run bench -- --quick           runs of 3, 10 and 20 s, small batches (about 2 minutes), nothing written
 *   npm run bench -- --detection       only the detection tables (with --lengths=3,20: only those lengths)
 *   npm run bench -- --virtual         the detection tables on virtual time (a model of the simulator's
 *                                      runs, the real wait): every length in seconds, for tuning
 *   npm run bench -- --editions        the detection bench on both editions' transports at once (self-hosted:
 *                                      undici; verified: n8n's request helper), compared (with --quick, --lengths=)
 *   npm run bench -- --out=FILE        write the JSON elsewhere
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { closeAllDispatchers } from '../src/client/dispatchers';
import { runBatch, type BatchResult } from './batch';
import { runDetection, type DetectionResult } from './detection';
import { compareEditions, renderEditions } from './editions';
import { commit, machine, round, type Goal } from './lib';
import { runMemory, type MemoryResult } from './memory';
import { runOverhead, runParallel, type OverheadResult, type ParallelResult } from './nodes';
import { renderSections, runHeader, type BenchReport } from './report';
import { runVirtualDetection } from './virtual';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const virtual = args.includes('--virtual');
const detectionOnly = virtual || args.includes('--detection');
const outArg = args.find((arg) => arg.startsWith('--out='))?.slice('--out='.length);
const lengthsArg = args.find((arg) => arg.startsWith('--lengths='))?.slice('--lengths='.length);
const editions = args.includes('--editions');

const config = quick
	? {
			lengthsS: [3, 10, 20],
			workflowsPerLength: 4,
			batch: { items: 200, runS: 2, maxConcurrency: 20 },
			parallelItems: 10,
			runS: 1,
			overheadItems: 100,
			memoryElements: 10_000,
		}
	: {
			lengthsS: [3, 10, 20, 30, 90, 300],
			workflowsPerLength: 16,
			batch: { items: 2000, runS: 2, maxConcurrency: 200 },
			parallelItems: 50,
			runS: 3,
			overheadItems: 1000,
			memoryElements: 100_000,
		};
if (lengthsArg) config.lengthsS = lengthsArg.split(',').map(Number);
const RUNS_PER_WORKFLOW = 6;
/** The other sections start once runs of up to this length are done, so the short runs are measured on a quiet process. */
const SIDE_SECTIONS_AFTER_S = 30;

const log = (text: string) => process.stderr.write(`  … ${text}\n`);

function writeReport(file: string, report: object): void {
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, `${JSON.stringify(report, null, '\t')}\n`);
	console.log(`figures written to ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
	const startedAt = new Date();
	const before = machine();
	const measured = commit();
	console.log(runHeader({ date: startedAt.toISOString(), commit: measured, quick, machine: before }));
	console.log('');

	// Detection is mostly waiting (its longest batch is 6 runs of ~300 s): the other sections run
	// meanwhile, once its short runs are done.
	const shortLengths = config.lengthsS.filter((s) => s <= SIDE_SECTIONS_AFTER_S);
	let markDone: (nominalS: number) => void = () => undefined;
	const shortDone = new Promise<void>((resolve) => {
		const pending = new Set(shortLengths);
		markDone = (nominalS) => {
			pending.delete(nominalS);
			if (pending.size === 0) resolve();
		};
	});
	const side = async () => {
		await shortDone;
		const batch = await runBatch({ ...config.batch, log });
		log('parallel (maxConcurrency 10)');
		const parallel10 = await runParallel({ items: config.parallelItems, runS: config.runS, maxConcurrency: 10 });
		const overhead = await runOverhead({ items: config.overheadItems, maxConcurrency: 10, log });
		const memory = await runMemory({ elements: config.memoryElements, log });
		log('other sections done; waiting for the long runs');
		return { batch, parallel10, overhead, memory };
	};
	const detectionOptions = {
		lengthsS: config.lengthsS,
		workflowsPerLength: config.workflowsPerLength,
		runsPerWorkflow: RUNS_PER_WORKFLOW,
		log,
		onLengthDone: markDone,
	};
	if (editions) {
		const result = await compareEditions(detectionOptions);
		console.log(renderEditions(result));
		if (outArg) writeReport(outArg, { date: startedAt.toISOString(), commit: measured, quick, machine: { ...before, loadAverageAtEnd: machine().loadAverage }, editions: result });
		await closeAllDispatchers();
		return;
	}
	const [detection, sections] = await Promise.all([
		virtual ? runVirtualDetection(detectionOptions) : runDetection(detectionOptions),
		detectionOnly ? undefined : side(),
	]);
	const after = machine();

	const goals = [...detectionGoals(detection), ...(sections ? sectionGoals(sections) : [])];
	const report: BenchReport = {
		date: startedAt.toISOString(),
		commit: measured,
		quick,
		virtual,
		machine: { ...before, loadAverageAtEnd: after.loadAverage },
		detection,
		...(sections && { batch: sections.batch, parallel: [sections.parallel10], overhead: sections.overhead, memory: sections.memory }),
		goals,
		durationS: round((Date.now() - startedAt.getTime()) / 1000, 1),
	};
	// The run's header was printed at the start; the figures follow.
	console.log(
		renderSections(report)
			.filter((section) => section.name !== 'run')
			.map((section) => section.text)
			.join('\n\n'),
	);
	console.log(`\nload average at the end: ${after.loadAverage.join(' ')} (1/5/15 min; ${after.nproc} CPUs)`);

	if ((!quick && !detectionOnly) || outArg) {
		writeReport(outArg ?? path.join(__dirname, 'results', `${startedAt.toISOString().slice(0, 10)}.json`), report);
	}
	console.log(`bench took ${report.durationS} s`);
	await closeAllDispatchers();
}

/** The goals of issue 18 item 7 (and issue 13's first-run and median goals). */
function detectionGoals(detection: DetectionResult): Goal[] {
	const mine = detection.strategies.find((s) => s.strategy === 'package')!;
	const base = detection.strategies.find((s) => s.strategy === 'poller')!;
	const ratio = (a: number, b: number) => round(a / b);
	const lengths = mine.byLength.map((row, i) => ({ nominalS: row.nominalS, mine: row, base: base.byLength[i] }));
	const repeatRatios = lengths.map((l) => ({
		nominalS: l.nominalS,
		ratio: ratio(l.mine.repeats.meanDetectionS, l.base.repeats.meanDetectionS),
	}));
	const repeatRequests = lengths.map((l) => ({ nominalS: l.nominalS, ratio: ratio(l.mine.repeats.requests, l.base.repeats.requests) }));
	const firstExcess = lengths.map((l) => ({
		nominalS: l.nominalS,
		excess: round(l.mine.first.meanDetectionS - l.base.first.meanDetectionS),
	}));
	const medianRatio = ratio(mine.all.medianDetectionS, base.all.medianDetectionS);
	const firstRequests = ratio(mine.first.requests, base.first.requests);
	return [
		{
			name: 'repeated runs: mean detection at every length',
			goal: "≤ 0.5× the poller's",
			value: repeatRatios.map((r) => `${r.nominalS} s ${r.ratio}×`).join(', '),
			met: repeatRatios.every((r) => r.ratio <= 0.5),
		},
		{
			name: 'repeated runs: requests at every length',
			goal: "≤ 1.0× the poller's",
			value: `${repeatRequests.map((r) => `${r.nominalS} s ${r.ratio}×`).join(', ')}; all ${mine.repeats.requests} vs ${base.repeats.requests}`,
			met: repeatRequests.every((r) => r.ratio <= 1.0),
		},
		{
			name: 'first runs: mean detection at every length',
			goal: "≤ the poller's + 1 s",
			value: firstExcess.map((r) => `${r.nominalS} s ${r.excess >= 0 ? '+' : ''}${r.excess} s`).join(', '),
			met: firstExcess.every((r) => r.excess <= 1),
		},
		{
			name: 'first runs: requests',
			goal: "≤ 1.5× the poller's",
			value: `${mine.first.requests} vs ${base.first.requests} (${firstRequests}×)`,
			met: firstRequests <= 1.5,
		},
		{
			name: 'whole mix: median detection',
			goal: "≤ 0.25× the poller's",
			value: `${mine.all.medianDetectionS} s vs ${base.all.medianDetectionS} s (${medianRatio}×)`,
			met: medianRatio <= 0.25,
		},
	];
}

function sectionGoals({
	batch,
	parallel10,
	overhead,
	memory,
}: {
	batch: BatchResult;
	parallel10: ParallelResult;
	overhead: OverheadResult;
	memory: MemoryResult;
}): Goal[] {
	const overheadRatio = overhead.ratios['run and wait'];
	return [
		{
			name: `large batch: ${batch.items} items × ${batch.runS} s at Max Concurrency ${batch.maxConcurrency}`,
			goal: '≤ 1.3× ideal',
			value: `${batch.wallS} s vs ${batch.idealS} s (${batch.ratio}×), ${batch.succeeded}/${batch.items} completed`,
			met: batch.ratio <= 1.3 && batch.succeeded === batch.items,
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

main().catch((error: unknown) => {
	console.error('bench failed:', error instanceof Error ? error.stack : error);
	process.exitCode = 1;
});
