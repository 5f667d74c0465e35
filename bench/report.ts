/**
 * The bench's figures as text: what `npm run bench` prints at its end, section by section, from
 * the report it writes to bench/results/<date>.json. docs/benchmarks.md holds these sections as
 * rendered from one results file (`npm run bench:docs`, checked by test/docs/benchmarks.test.ts).
 */
import type { BatchResult } from './batch';
import type { DetectionResult, GroupSummary } from './detection';
import { RUN_SPREAD, table, type Goal, type Machine } from './lib';
import type { MemoryResult } from './memory';
import type { OverheadResult, ParallelResult } from './nodes';

/** What bench/results/<date>.json holds. */
export interface BenchReport {
	date: string;
	/** The commit measured (`+dirty` when the work tree differed); absent in files written before it was recorded. */
	commit?: string;
	quick: boolean;
	virtual?: boolean;
	machine: Machine & { loadAverageAtEnd: number[] };
	detection: DetectionResult;
	batch?: BatchResult;
	parallel?: ParallelResult[];
	overhead?: OverheadResult;
	memory?: MemoryResult;
	goals: Goal[];
	durationS: number;
}

export type SectionName = 'run' | 'detection' | 'batch' | 'parallel' | 'overhead' | 'memory' | 'goals';

/** The first lines the bench prints, before anything is measured. */
export function runHeader(report: Pick<BenchReport, 'date' | 'commit' | 'quick'> & { machine: Machine }): string {
	const { machine } = report;
	return [
		`Witrium node bench — ${report.date}, commit ${report.commit ?? 'not recorded'}${report.quick ? ' (quick)' : ''}`,
		`machine: ${machine.nproc} CPUs (${machine.cpuModel}), Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage.join(' ')}`,
	].join('\n');
}

/** Every section the report has figures for, in the order the bench prints them. */
export function renderSections(report: BenchReport): Array<{ name: SectionName; text: string }> {
	const sections: Array<{ name: SectionName; text: string | undefined }> = [
		{
			name: 'run',
			text: [
				runHeader(report),
				`load average at the end: ${report.machine.loadAverageAtEnd.join(' ')} (1/5/15 min; ${report.machine.nproc} CPUs)`,
				`bench took ${report.durationS} s`,
			].join('\n'),
		},
		{ name: 'detection', text: detection(report.detection, report.virtual ?? false) },
		{ name: 'batch', text: report.batch && batch(report.batch) },
		{ name: 'parallel', text: report.parallel && parallel(report.parallel) },
		{ name: 'overhead', text: report.overhead && overhead(report.overhead) },
		{ name: 'memory', text: report.memory && memory(report.memory) },
		{ name: 'goals', text: goals(report.goals) },
	];
	return sections.filter((section): section is { name: SectionName; text: string } => section.text !== undefined);
}

function detection(result: DetectionResult, onVirtualTime: boolean): string {
	const [mine, base] = result.strategies;
	const cell = (g: GroupSummary) => [g.meanDetectionS.toFixed(2), g.maxDetectionS.toFixed(2), g.requests];
	const lines = [
		`Detection${onVirtualTime ? ' on virtual time (a model of the simulator)' : ''}: seconds from a run's end (simulator completedAt) to the waiter seeing it; ${mine.label} vs ${base.label}`,
		`(runs of ${result.lengthsS.join(', ')} s ±${RUN_SPREAD * 100} %; per length and strategy ${result.workflowsPerLength} workflows, each run ${result.runsPerWorkflow} times in a row; all at once; took ${result.wallS} s)`,
	];
	for (const kind of ['first', 'repeats'] as const) {
		const runs = kind === 'first' ? result.workflowsPerLength : result.workflowsPerLength * (result.runsPerWorkflow - 1);
		lines.push('', `${kind === 'first' ? 'First runs' : 'Repeated runs'} (${runs} per length and strategy): mean s, max s, requests`);
		lines.push(
			table(
				['run length', 'package mean', 'max', 'requests', 'poller mean', 'max', 'requests', 'mean ratio', 'requests ratio'],
				mine.byLength.map((row, i) => {
					const a = row[kind];
					const b = base.byLength[i][kind];
					return [
						`${row.nominalS} s`,
						...cell(a),
						...cell(b),
						`${(a.meanDetectionS / b.meanDetectionS).toFixed(2)}×`,
						`${(a.requests / b.requests).toFixed(2)}×`,
					];
				}),
			),
		);
	}
	lines.push('', 'Whole mix');
	lines.push(
		table(
			['strategy', 'runs', 'median s', 'mean s', 'max s', 'requests'],
			result.strategies.map((s) => [
				s.label,
				s.all.runs,
				s.all.medianDetectionS.toFixed(2),
				s.all.meanDetectionS.toFixed(2),
				s.all.maxDetectionS.toFixed(2),
				s.all.requests,
			]),
		),
	);
	return lines.join('\n');
}

function batch(result: BatchResult): string {
	const lines = [
		'Large batch through the Run Workflow node (node in its own process)',
		table(
			[
				'items × run',
				'maxConcurrency',
				'wall s',
				'ideal s',
				'ratio',
				'completed',
				'max at once',
				'polls/run',
				'RSS before MB',
				'peak RSS MB',
				'loop delay p50/p99/max ms',
			],
			[
				[
					`${result.items} × ${result.runS} s`,
					result.maxConcurrency,
					result.wallS.toFixed(1),
					result.idealS.toFixed(1),
					`${result.ratio.toFixed(2)}×`,
					`${result.succeeded}/${result.items}`,
					result.maxRunsAtOnce,
					result.pollsPerRun,
					result.baselineRssMb,
					result.peakRssMb,
					`${result.eventLoopDelayMs.p50}/${result.eventLoopDelayMs.p99}/${result.eventLoopDelayMs.max}`,
				],
			],
		),
	];
	if (result.error) lines.push(`error: ${result.error}`);
	return lines.join('\n');
}

function parallel(rows: ParallelResult[]): string {
	return [
		'Parallel runs through the Run Workflow node (n8n-core engine)',
		table(
			['items × run', 'maxConcurrency', 'wall s', 'ideal s', 'ratio', 'completed', 'max at once'],
			rows.map((r) => [
				`${r.items} × ${r.runS} s`,
				r.maxConcurrency,
				r.wallS.toFixed(1),
				r.idealS.toFixed(1),
				`${r.ratio.toFixed(2)}×`,
				`${r.succeeded}/${r.items}`,
				r.maxRunsAtOnce,
			]),
		),
	].join('\n');
}

function overhead(result: OverheadResult): string {
	return [
		`Overhead: ${result.items} instant runs, maxConcurrency ${result.maxConcurrency}, node vs bare client`,
		table(
			['mode', 'side', 'wall s', 'items/s', 'requests', 'node/client'],
			result.rows.map((r) => [
				r.mode,
				r.side,
				r.wallS.toFixed(2),
				r.perSecond.toFixed(1),
				r.requests,
				r.side === 'node' ? `${result.ratios[r.mode].toFixed(2)}×` : '',
			]),
		),
	].join('\n');
}

function memory(result: MemoryResult): string {
	return [
		`Memory: one run with a ${result.elements.toLocaleString('en')}-element result (${result.resultJsonMb} MB JSON), Output: Result Items, node in its own process`,
		table(
			['completed', 'items out', 'time s', 'RSS before MB', 'peak RSS MB', 'heap before MB', 'peak heap MB'],
			[
				[
					result.completed ? 'yes' : 'NO',
					result.outputItems,
					result.durationS.toFixed(2),
					result.baselineRssMb,
					result.peakRssMb,
					result.baselineHeapMb,
					result.peakHeapMb,
				],
			],
		),
	].join('\n');
}

function goals(list: Goal[]): string {
	return ['Goals (issues 6, 13 and 18)', ...list.map((goal) => `  [${goal.met ? 'met' : 'NOT MET'}] ${goal.name} ${goal.goal}: ${goal.value}`)].join('\n');
}
