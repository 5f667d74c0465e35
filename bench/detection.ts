/**
 * Detection: how long after a run finishes the waiter sees it, and how many requests that
 * costs, for this package's wait (node defaults) and for a fixed 5 s poller (the official JS
 * client's `runWorkflowAndWait` default: a poll at once, then 5 s after each answer).
 *
 * For each nominal length D, several workflows per strategy are each run `runsPerWorkflow`
 * times one after another, as the items of a batch are at Max Concurrency 1: the first run of
 * a workflow is reported apart from its repeats, which this package's wait forecasts from the
 * earlier ones. Run k of a length lasts D × (0.94 + 0.12 × frac(0.5 + k × 0.618…)): spread
 * evenly over ±6 % (a golden-ratio sequence), so where runs end relative to a 5 s grid varies,
 * and the same for both strategies. A run first waits for its browser (10 % of its time, at
 * most 1 s), then executes three steps of uneven length (30/50/20 %); the simulator lists only
 * the steps reached so far. All lengths, workflows and strategies run at once.
 */
import { WitriumSimulator } from '../simulator';
import type { WorkflowDefinition } from '../simulator';
import { WitriumClient, isTerminalStatus, type RunResults, type Transport } from '../src/client';
import { undiciTransport } from '../src/client/http';
import { RUN_SPREAD, mean, median, round, sleep, sum } from './lib';

export interface DetectionSample {
	strategy: string;
	nominalS: number;
	workflow: number;
	run: number;
	runMs: number;
	detectionMs: number;
	requests: number;
}

export interface GroupSummary {
	runs: number;
	meanDetectionS: number;
	medianDetectionS: number;
	maxDetectionS: number;
	requests: number;
}

export interface StrategySummary {
	strategy: string;
	label: string;
	/** Every run of the mix. */
	all: GroupSummary;
	first: GroupSummary;
	repeats: GroupSummary;
	byLength: Array<{ nominalS: number; first: GroupSummary; repeats: GroupSummary }>;
}

export interface DetectionResult {
	lengthsS: number[];
	workflowsPerLength: number;
	runsPerWorkflow: number;
	strategies: StrategySummary[];
	samples: DetectionSample[];
	wallS: number;
}

/** Waits as the node's Run operation does: it knows the workflow it started. */
type Waiter = (client: WitriumClient, runId: string, workflowId: string) => Promise<RunResults>;

/** The fixed poller, as the official JS client does it. */
const fixedPoller =
	(intervalMs: number): Waiter =>
	async (client, runId) => {
		for (;;) {
			const run = await client.getResults(runId);
			if (isTerminalStatus(run.status)) return run;
			await sleep(intervalMs);
		}
	};

export const STRATEGIES: Array<{ key: string; label: string; wait: Waiter }> = [
	{
		key: 'package',
		label: 'this package (node defaults)',
		wait: (client, runId, workflowId) => client.waitForRun(runId, { timeoutMs: 900_000, workflowId }),
	},
	{ key: 'poller', label: 'poll every 5 s (official client default)', wait: fixedPoller(5000) },
];

export function workflowFor(id: string, runMs: number): WorkflowDefinition {
	const startDelayMs = Math.round(Math.min(1000, runMs * 0.1));
	const rest = runMs - startDelayMs;
	const a = Math.round(rest * 0.3);
	const b = Math.round(rest * 0.5);
	return {
		id,
		startDelayMs,
		steps: [
			{ instruction: 'Open the page', durationMs: a },
			{ instruction: 'Fill in and submit the form', durationMs: b },
			{ instruction: 'Read the result', durationMs: rest - a - b },
		],
		result: { done: true },
	};
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** The k-th run length of nominal length `nominalS`, spread evenly over ±RUN_SPREAD. */
export function runLengthMs(nominalS: number, k: number): number {
	return Math.round(nominalS * 1000 * (1 - RUN_SPREAD + 2 * RUN_SPREAD * ((0.5 + k * GOLDEN) % 1)));
}

export interface DetectionOptions {
	lengthsS: number[];
	workflowsPerLength: number;
	runsPerWorkflow: number;
	log?: (line: string) => void;
	/** Called when every run of a length (both strategies) is done. */
	onLengthDone?: (nominalS: number) => void;
	/** The edition's transport (default: the self-hosted package's, undici). */
	transport?: (apiToken: string, baseUrl: string) => Transport;
}

export async function runDetection(options: DetectionOptions): Promise<DetectionResult> {
	const { lengthsS, workflowsPerLength, runsPerWorkflow } = options;
	const sim = new WitriumSimulator();
	const baseUrl = await sim.start();
	const transport = options.transport?.(sim.token, baseUrl) ?? undiciTransport({ apiToken: sim.token });
	const client = new WitriumClient({ apiToken: sim.token, baseUrl, transport });
	const started = Date.now();
	try {
		const seen: Array<Omit<DetectionSample, 'detectionMs' | 'requests'> & { runId: string; seenAt: number }> = [];
		// One batch: a workflow run `runsPerWorkflow` times, each run submitted when the last was seen done.
		const batch = async (strategy: (typeof STRATEGIES)[number], nominalS: number, workflow: number) => {
			const id = `bench-${strategy.key}-${nominalS}s-${workflow}`;
			for (let run = 0; run < runsPerWorkflow; run++) {
				const runMs = runLengthMs(nominalS, workflow * runsPerWorkflow + run);
				sim.define({ workflows: [workflowFor(id, runMs)] }); // a run copies its definition when submitted
				const { runId } = await client.runWorkflow(id);
				const result = await strategy.wait(client, runId, id);
				const seenAt = Date.now();
				if (result.status !== 'C') throw new Error(`detection run ${runId} ended ${result.status}`);
				seen.push({ strategy: strategy.key, nominalS, workflow, run, runMs, runId, seenAt });
			}
		};
		const chains = lengthsS.length * workflowsPerLength * STRATEGIES.length;
		options.log?.(
			`detection: ${chains} batches of ${runsPerWorkflow} runs at once (${lengthsS.join('/')} s × ${workflowsPerLength} workflows × ${STRATEGIES.length} strategies)`,
		);
		await Promise.all(
			lengthsS.map(async (nominalS) => {
				const batches = STRATEGIES.flatMap((strategy) =>
					Array.from({ length: workflowsPerLength }, (_, workflow) => batch(strategy, nominalS, workflow)),
				);
				await Promise.all(batches);
				options.log?.(`detection: runs of ${nominalS} s done`);
				options.onLengthDone?.(nominalS);
			}),
		);

		const completedAt = new Map(sim.runs().map((run) => [run.runId, run.completedAt]));
		const polls = new Map<string, number>();
		for (const request of sim.requests) {
			if (request.endpoint !== 'getResults') continue;
			const runId = decodeURIComponent(request.path.split('/')[3] ?? '');
			polls.set(runId, (polls.get(runId) ?? 0) + 1);
		}
		const samples = seen.map(({ runId, seenAt, ...sample }): DetectionSample => {
			const endedAt = completedAt.get(runId);
			if (!endedAt) throw new Error(`the simulator has no completion time for ${runId}`);
			return { ...sample, detectionMs: seenAt - endedAt, requests: polls.get(runId) ?? 0 };
		});
		const strategies = summarizeStrategies(STRATEGIES, samples, lengthsS);
		return { lengthsS, workflowsPerLength, runsPerWorkflow, strategies, samples, wallS: round((Date.now() - started) / 1000, 1) };
	} finally {
		await sim.stop();
	}
}

/** Per strategy: the whole mix, first runs, repeats, and both per length. */
export function summarizeStrategies(
	strategies: Array<{ key: string; label: string }>,
	samples: DetectionSample[],
	lengthsS: number[],
): StrategySummary[] {
	return strategies.map(({ key, label }): StrategySummary => {
		const mine = samples.filter((s) => s.strategy === key);
		return {
			strategy: key,
			label,
			all: summarize(mine),
			first: summarize(mine.filter((s) => s.run === 0)),
			repeats: summarize(mine.filter((s) => s.run > 0)),
			byLength: lengthsS.map((nominalS) => {
				const group = mine.filter((s) => s.nominalS === nominalS);
				return { nominalS, first: summarize(group.filter((s) => s.run === 0)), repeats: summarize(group.filter((s) => s.run > 0)) };
			}),
		};
	});
}

function summarize(samples: DetectionSample[]): GroupSummary {
	const seconds = samples.map((s) => s.detectionMs / 1000);
	return {
		runs: samples.length,
		meanDetectionS: round(mean(seconds)),
		medianDetectionS: round(median(seconds)),
		maxDetectionS: round(Math.max(...seconds)),
		requests: sum(samples.map((s) => s.requests)),
	};
}
