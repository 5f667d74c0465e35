/**
 * Detection: how long after a run finishes the waiter sees it, and how many requests that
 * costs, for this package's wait and for a fixed 5 s poller (the official JS client's
 * `runWorkflowAndWait` default: a poll at once, then 5 s after each answer).
 *
 * Each nominal duration D is run at 0.8, 0.9, 1.0, 1.1 and 1.2 × D, so that where a run ends
 * relative to the fixed poller's 5 s grid varies (runs of exactly 10, 30 and 90 s would all
 * end just after one of its polls: its worst case). A run first waits for its browser (10 %
 * of its time, at most 1 s), then executes three steps of uneven length (30/50/20 %); the
 * simulator lists only the steps reached so far. All runs of all strategies go at once.
 */
import { WitriumSimulator } from '../simulator';
import type { WorkflowDefinition } from '../simulator';
import { WitriumClient, isTerminalStatus, type RunResults } from '../src/client';
import { mean, median, percentile, round, sleep, sum } from './lib';

export interface DetectionSample {
	strategy: string;
	nominalS: number;
	runMs: number;
	detectionMs: number;
	requests: number;
}

export interface StrategySummary {
	strategy: string;
	label: string;
	runs: number;
	medianDetectionS: number;
	meanDetectionS: number;
	p90DetectionS: number;
	requests: number;
	byDuration: Array<{ nominalS: number; meanDetectionS: number; maxDetectionS: number; requests: number }>;
}

export interface DetectionResult {
	durationsS: number[];
	factors: number[];
	strategies: StrategySummary[];
	samples: DetectionSample[];
	wallS: number;
}

type Waiter = (client: WitriumClient, runId: string) => Promise<RunResults>;

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
		key: 'adaptive',
		label: 'this package (node defaults: max interval 10 s)',
		wait: (client, runId) => client.waitForRun(runId, { maxPollIntervalMs: 10_000, timeoutMs: 900_000 }),
	},
	{
		key: 'adaptive-5s',
		label: 'this package, max interval 5 s (client default)',
		wait: (client, runId) => client.waitForRun(runId, { maxPollIntervalMs: 5000, timeoutMs: 900_000 }),
	},
	{ key: 'baseline', label: 'baseline: poll every 5 s', wait: fixedPoller(5000) },
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

export async function runDetection(options: { durationsS?: number[]; factors?: number[]; log?: (line: string) => void } = {}): Promise<DetectionResult> {
	const durationsS = options.durationsS ?? [1, 3, 10, 30, 90];
	const factors = options.factors ?? [0.8, 0.9, 1, 1.1, 1.2];
	const sim = new WitriumSimulator();
	const baseUrl = await sim.start();
	const client = new WitriumClient({ apiToken: sim.token, baseUrl });
	const started = Date.now();
	try {
		const plan: Array<{ strategy: (typeof STRATEGIES)[number]; nominalS: number; runMs: number; id: string }> = [];
		const workflows: WorkflowDefinition[] = [];
		for (const nominalS of durationsS) {
			for (const factor of factors) {
				const runMs = Math.round(nominalS * factor * 1000);
				const id = `detect-${runMs}`;
				workflows.push(workflowFor(id, runMs));
				for (const strategy of STRATEGIES) plan.push({ strategy, nominalS, runMs, id });
			}
		}
		sim.define({ workflows });
		options.log?.(`detection: ${plan.length} runs at once (${durationsS.join('/')} s × ${factors.join('/')}, ${STRATEGIES.length} strategies)`);

		const samples = await Promise.all(
			plan.map(async ({ strategy, nominalS, runMs, id }): Promise<DetectionSample> => {
				const { runId } = await client.runWorkflow(id);
				const run = await strategy.wait(client, runId);
				const seenAt = Date.now();
				if (run.status !== 'C') throw new Error(`detection run ${runId} ended ${run.status}`);
				const simRun = sim.runs().find((r) => r.runId === runId);
				if (!simRun?.completedAt) throw new Error(`the simulator has no completion time for ${runId}`);
				const requests = sim.requests.filter((r) => r.endpoint === 'getResults' && r.path.includes(runId)).length;
				return { strategy: strategy.key, nominalS, runMs, detectionMs: seenAt - simRun.completedAt, requests };
			}),
		);

		const strategies = STRATEGIES.map(({ key, label }): StrategySummary => {
			const mine = samples.filter((s) => s.strategy === key);
			const seconds = mine.map((s) => s.detectionMs / 1000);
			return {
				strategy: key,
				label,
				runs: mine.length,
				medianDetectionS: round(median(seconds)),
				meanDetectionS: round(mean(seconds)),
				p90DetectionS: round(percentile(seconds, 90)),
				requests: sum(mine.map((s) => s.requests)),
				byDuration: durationsS.map((nominalS) => {
					const group = mine.filter((s) => s.nominalS === nominalS);
					const groupSeconds = group.map((s) => s.detectionMs / 1000);
					return {
						nominalS,
						meanDetectionS: round(mean(groupSeconds)),
						maxDetectionS: round(Math.max(...groupSeconds)),
						requests: sum(group.map((s) => s.requests)),
					};
				}),
			};
		});
		return { durationsS, factors, strategies, samples, wallS: round((Date.now() - started) / 1000, 1) };
	} finally {
		await sim.stop();
	}
}
