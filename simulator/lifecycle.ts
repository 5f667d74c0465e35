/**
 * Runs moving through time: a browser that takes a moment to be ready, steps that run one after
 * another, and a terminal status that frees the session for its next queued run. The engine
 * decides what is admitted; this decides when it changes.
 */
import { randomUUID } from 'node:crypto';

import type { ExecutionRecord, RunRecord, SessionRecord } from './records';
import { finalResult, firstStepIndex, plannedFailure, type PlannedFailure, type WorkflowRun } from './script';
import type { TimerRegistry } from './timers';

const DEFAULT_START_DELAY_MS = 100;
const DEFAULT_TALENT_DURATION_MS = 100;

/** One step of the "running" timeline, in the order transitions happened. */
interface TimelineEvent {
	runId: string;
	sessionId: string | null;
	change: 1 | -1;
}

export class RunLifecycle {
	private timeline: TimelineEvent[] = [];

	constructor(
		private readonly timers: TimerRegistry,
		/** Saves a browser state under `name`: a completed run with preserve_state does. */
		private readonly saveState: (name: string, savedBy: string) => void,
	) {}

	/** A run with a session waits its turn; one without gets its own fresh browser at once. */
	start(run: RunRecord): void {
		if (run.session) {
			run.session.queue.push(run);
			this.startNextInSession(run.session);
		} else {
			this.launch(run);
		}
	}

	private startNextInSession(session: SessionRecord): void {
		if (session.status !== 'active' || session.currentRun) return;
		const next = session.queue.shift();
		if (!next) return;
		session.currentRun = next;
		this.launch(next);
	}

	/** The browser takes startDelayMs to be ready (talents start at once); then the run is R. */
	private launch(run: RunRecord): void {
		const delay = run.kind === 'workflow' ? (run.definition.startDelayMs ?? DEFAULT_START_DELAY_MS) : 0;
		run.stopTimer = this.timers.after(delay, () => this.markRunning(run));
	}

	private markRunning(run: RunRecord): void {
		const now = Date.now();
		run.status = 'R';
		run.startedAt = now;
		run.restoredStates = run.session ? [...run.session.states] : [...(run.useStates ?? [])];
		if (run.session) run.session.lastActivityAt = now;
		this.timeline.push({ runId: run.runId, sessionId: run.session?.id ?? null, change: 1 });

		if (run.kind === 'talent') {
			const duration = run.definition.durationMs ?? DEFAULT_TALENT_DURATION_MS;
			run.stopTimer = this.timers.after(duration, () => {
				const failure = run.kind === 'talent' ? run.definition.fail : undefined;
				if (failure !== undefined) this.finish(run, 'F', failure);
				else this.finish(run, 'C', null);
			});
			return;
		}
		const first = firstStepIndex(run);
		const failure = plannedFailure(run, first);
		// A workflow with no step left to run still fails when its required state is missing.
		if (failure && !run.definition.steps[first]) this.finish(run, 'F', failure.message);
		else this.runStep(run, first, failure);
	}

	/** A step shows as R when it starts, then C (with its own result) or F after its duration. */
	private runStep(run: WorkflowRun, index: number, failure: PlannedFailure | null): void {
		const step = run.definition.steps[index];
		if (!step) {
			this.finish(run, run.definition.endStatus ?? 'C', null);
			return;
		}
		const execution: ExecutionRecord = {
			order: index + 1,
			instructionId: randomUUID(),
			instruction: step.instruction,
			status: 'R',
			result: null,
			resultFormat: null,
			errorMessage: null,
		};
		run.executions.push(execution);
		run.stopTimer = this.timers.after(step.durationMs, () => {
			if (failure?.index === index) {
				execution.status = 'F';
				execution.errorMessage = failure.message;
				this.finish(run, 'F', failure.message);
				return;
			}
			execution.status = 'C';
			execution.result = step.result ?? null;
			execution.resultFormat = step.resultFormat ?? null;
			this.runStep(run, index + 1, failure);
		});
	}

	/** Moves a run to a terminal status (no-op when it already is) and frees its session. */
	finish(run: RunRecord, status: string, errorMessage: string | null): void {
		if (run.completedAt !== null) return;
		const now = Date.now();
		run.stopTimer?.();
		run.stopTimer = null;
		if (run.status === 'R') this.timeline.push({ runId: run.runId, sessionId: run.session?.id ?? null, change: -1 });
		run.status = status;
		run.completedAt = now;
		run.errorMessage = errorMessage;
		if (status === 'X') {
			run.cancelledAt = now;
			for (const execution of run.executions) if (execution.status === 'R') execution.status = 'X';
		}
		if (status === 'C') {
			run.result = finalResult(run);
			run.resultFormat = run.definition.resultFormat ?? null;
			if (run.preserveState !== null) {
				this.saveState(run.preserveState, run.runId);
				run.session?.states.add(run.preserveState);
			}
		}
		this.release(run, now);
		for (const settle of run.onSettled.splice(0)) settle();
	}

	private release(run: RunRecord, now: number): void {
		const session = run.session;
		if (!session) return;
		if (session.currentRun === run) {
			session.currentRun = null;
			session.lastActivityAt = now;
			this.startNextInSession(session);
		} else {
			session.queue = session.queue.filter((queued) => queued !== run);
		}
	}

	/** The most runs that were `R` at once, replaying start/end transitions in the order they happened. */
	maxConcurrentRuns(filter: { sessionId?: string } = {}): number {
		let running = 0;
		let max = 0;
		for (const event of this.timeline) {
			if (filter.sessionId !== undefined && event.sessionId !== filter.sessionId) continue;
			running += event.change;
			max = Math.max(max, running);
		}
		return max;
	}

	forgetTimeline(): void {
		this.timeline = [];
	}
}
