/**
 * Detection on virtual time: the batches of detection.ts, through the real waitForRun on a virtual
 * clock, against a model of what the simulator does with `workflowFor` (the browser wait, then the
 * steps, with their timestamps). Each request takes LATENCY_MS. Five minutes of runs take about a
 * second, so the schedule can be tuned here; `npm run bench` then measures it for real.
 */
import { isTerminalStatus, learnedDurations, type RunResults } from '../src/client';
import { waitForRun, type PollFn, type WaitClock } from '../src/client/wait';
import {
	type DetectionOptions,
	type DetectionResult,
	type DetectionSample,
	runLengthMs,
	summarizeStrategies,
	workflowFor,
} from './detection';
import { round } from './lib';

const LATENCY_MS = 4;

interface VirtualClock extends WaitClock {
	advance(ms: number): void;
}

function virtualClock(): VirtualClock {
	let now = Date.parse('2026-01-01T00:00:00Z');
	return {
		now: () => now,
		advance: (ms) => (now += ms),
		sleep: async (ms) => {
			now += Math.max(0, ms);
			await Promise.resolve();
		},
	};
}

/** One run as the simulator plays it: submitted at `submittedAt`, running after the browser wait, done at the end of its last step. */
function modelRun(workflowId: string, runId: string, runMs: number, submittedAt: number) {
	const definition = workflowFor(workflowId, runMs);
	const startAt = submittedAt + definition.startDelayMs!;
	let stepEnd = startAt;
	const steps = definition.steps.map((step) => ({ instruction: step.instruction, startAt: stepEnd, endAt: (stepEnd += step.durationMs) }));
	const endAt = stepEnd;
	const iso = (t: number) => new Date(t).toISOString();
	const stateAt = (t: number): RunResults => {
		const status = t < startAt ? 'P' : t < endAt ? 'R' : 'C';
		return {
			workflowId,
			runId,
			status,
			startedAt: status === 'P' ? null : iso(startAt),
			completedAt: status === 'C' ? iso(endAt) : null,
			message: null,
			result: null,
			resultFormat: null,
			errorMessage: null,
			executions: steps
				.filter((step) => step.startAt <= t)
				.map((step, i) => ({
					status: step.endAt <= t ? 'C' : 'R',
					instructionOrder: i + 1,
					instruction: step.instruction,
					result: null,
					resultFormat: null,
					errorMessage: null,
				})),
		};
	};
	return { endAt, stateAt };
}

type VirtualWaiter = (runId: string, poll: PollFn, clock: VirtualClock, workflowId: string) => Promise<RunResults>;

const VIRTUAL_STRATEGIES: Array<{ key: string; label: string; wait: VirtualWaiter }> = [
	{
		key: 'package',
		label: 'this package (node defaults)',
		wait: (runId, poll, clock, workflowId) => waitForRun(runId, poll, { timeoutMs: 900_000, workflowId }, clock),
	},
	{
		key: 'poller',
		label: 'poll every 5 s (official client default)',
		wait: async (_runId, poll, clock) => {
			for (;;) {
				const run = await poll({});
				if (isTerminalStatus(run.status)) return run;
				clock.advance(5000);
			}
		},
	},
];

export async function runVirtualDetection(options: DetectionOptions): Promise<DetectionResult> {
	const { lengthsS, workflowsPerLength, runsPerWorkflow } = options;
	const started = Date.now();
	learnedDurations.clear();
	const samples: DetectionSample[] = [];
	for (const nominalS of lengthsS) {
		for (const strategy of VIRTUAL_STRATEGIES) {
			for (let workflow = 0; workflow < workflowsPerLength; workflow++) {
				const clock = virtualClock();
				const workflowId = `virtual-${strategy.key}-${nominalS}s-${workflow}`;
				for (let run = 0; run < runsPerWorkflow; run++) {
					const runMs = runLengthMs(nominalS, workflow * runsPerWorkflow + run);
					const runId = `${workflowId}-${run}`;
					clock.advance(LATENCY_MS / 2);
					const model = modelRun(workflowId, runId, runMs, clock.now());
					clock.advance(LATENCY_MS / 2);
					let requests = 0;
					const poll: PollFn = async () => {
						requests++;
						clock.advance(LATENCY_MS / 2);
						const state = model.stateAt(clock.now());
						clock.advance(LATENCY_MS / 2);
						return state;
					};
					const result = await strategy.wait(runId, poll, clock, workflowId);
					if (result.status !== 'C') throw new Error(`virtual run ${runId} ended ${result.status}`);
					samples.push({ strategy: strategy.key, nominalS, workflow, run, runMs, detectionMs: clock.now() - model.endAt, requests });
				}
			}
		}
		options.onLengthDone?.(nominalS);
	}
	const strategies = summarizeStrategies(VIRTUAL_STRATEGIES, samples, lengthsS);
	return { lengthsS, workflowsPerLength, runsPerWorkflow, strategies, samples, wallS: round((Date.now() - started) / 1000, 1) };
}
