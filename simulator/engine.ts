/**
 * The simulated service: workflow and talent runs progressing in real time, browser sessions
 * that run one run at a time, and saved browser states. It knows nothing of HTTP; rule
 * violations are thrown as ApiError and the HTTP layer answers them.
 */
import { randomUUID } from 'node:crypto';

import { ApiError, notFound } from './errors';
import { toSimRun, toSimSession, type ExecutionRecord, type RunRecord, type SessionRecord } from './records';
import { TimerRegistry } from './timers';
import { finalResult, firstStepIndex, plannedFailure, type PlannedFailure, type WorkflowRun } from './script';
import {
	type Definitions,
	type SavedState,
	type SimRun,
	type SimSession,
	type SimStatus,
	type TalentDefinition,
	type WorkflowDefinition,
} from './types';
import type { CloseSessionBody, CreateSessionBody, RunTalentBody, RunWorkflowBody } from './validation';

const DEFAULT_START_DELAY_MS = 100;
const DEFAULT_TALENT_DURATION_MS = 100;
const SESSION_DEFAULTS = { provider: 'omega', proxyCountry: 'us', proxyCity: 'New York' };

/** One step of the "running" timeline, in the order transitions happened. */
interface TimelineEvent {
	runId: string;
	sessionId: string | null;
	change: 1 | -1;
}

export class SimEngine {
	private readonly workflows = new Map<string, WorkflowDefinition>();
	private readonly talents = new Map<string, TalentDefinition>();
	private runsById = new Map<string, RunRecord>();
	private sessionsById = new Map<string, SessionRecord>();
	private savedStates = new Map<string, SavedState>();
	private timeline: TimelineEvent[] = [];

	constructor(private readonly timers: TimerRegistry) {}

	define(defs: Definitions): void {
		for (const workflow of defs.workflows ?? []) this.workflows.set(workflow.id, structuredClone(workflow));
		for (const talent of defs.talents ?? []) this.talents.set(talent.id, structuredClone(talent));
	}

	// ---- runs -------------------------------------------------------------------------------

	submitWorkflowRun(workflowId: string, body: RunWorkflowBody): RunRecord {
		const definition = this.workflows.get(workflowId);
		if (!definition) throw notFound('Workflow', workflowId);
		const run: RunRecord = {
			kind: 'workflow',
			definition: structuredClone(definition),
			...this.newRunFields(body),
			noIntelligence: body.no_intelligence ?? null,
			recordSession: body.record_session ?? null,
			skipGotoUrlInstruction: body.skip_goto_url_instruction ?? null,
		};
		this.admit(run);
		return run;
	}

	/** Resolves when the talent run is terminal: the endpoint is synchronous. */
	runTalent(talentId: string, body: RunTalentBody): Promise<RunRecord> {
		const definition = this.talents.get(talentId);
		if (!definition) throw notFound('Talent', talentId);
		const run: RunRecord = {
			kind: 'talent',
			definition: structuredClone(definition),
			...this.newRunFields(body),
			noIntelligence: null,
			recordSession: null,
			skipGotoUrlInstruction: null,
		};
		const settled = new Promise<RunRecord>((resolve) => run.onSettled.push(() => resolve(run)));
		this.admit(run);
		return settled;
	}

	getRun(runId: string): RunRecord {
		const run = this.runsById.get(runId);
		if (!run) throw notFound('Run', runId);
		return run;
	}

	/** A pending or running run is cancelled at once; a finished one is returned as it is. */
	cancelRun(runId: string): RunRecord {
		const run = this.getRun(runId);
		this.finish(run, 'X', null);
		return run;
	}

	/** Fields shared by workflow and talent runs; validates the session and the states first. */
	private newRunFields(body: RunWorkflowBody) {
		const session = body.browser_session_id === undefined ? null : this.usableSession(body.browser_session_id);
		// In a session the session's own states apply and run-level use_states is ignored,
		// so it is not checked either.
		if (!session) this.requireSavedStates(body.use_states ?? []);
		return {
			runId: randomUUID(),
			status: 'P' as SimStatus,
			args: { ...(body.args ?? {}) },
			files: (body.files ?? []).map((file) => ({ ...file })),
			session,
			useStates: body.use_states ? [...body.use_states] : null,
			useStatesIgnored: session !== null && body.use_states !== undefined,
			restoredStates: [],
			preserveState: body.preserve_state ?? null,
			executions: [],
			result: null,
			resultFormat: null,
			message: null,
			errorMessage: null,
			submittedAt: Date.now(),
			startedAt: null,
			completedAt: null,
			cancelledAt: null,
			stopTimer: null,
			onSettled: [],
		};
	}

	/** A run with a session waits its turn; one without gets its own fresh browser at once. */
	private admit(run: RunRecord): void {
		this.runsById.set(run.runId, run);
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
	private finish(run: RunRecord, status: string, errorMessage: string | null): void {
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

	// ---- sessions ---------------------------------------------------------------------------

	createSession(body: CreateSessionBody): SessionRecord {
		const useStates = body.use_states ?? [];
		this.requireSavedStates(useStates);
		const now = Date.now();
		const useProxy = body.use_proxy ?? false;
		const session: SessionRecord = {
			id: randomUUID(),
			status: 'active',
			provider: body.provider ?? SESSION_DEFAULTS.provider,
			useProxy,
			// A session without a proxy has no proxy location, so both are null.
			proxyCountry: useProxy ? (body.proxy_country ?? SESSION_DEFAULTS.proxyCountry) : null,
			proxyCity: useProxy ? (body.proxy_city ?? SESSION_DEFAULTS.proxyCity) : null,
			useStates: [...useStates],
			states: new Set(useStates),
			preserveState: body.preserve_state ?? null,
			currentRun: null,
			queue: [],
			createdAt: now,
			lastActivityAt: now,
			closedAt: null,
		};
		this.sessionsById.set(session.id, session);
		return session;
	}

	getSession(sessionId: string): SessionRecord {
		const session = this.sessionsById.get(sessionId);
		if (!session) throw notFound('Browser session', sessionId);
		return session;
	}

	activeSessions(): SessionRecord[] {
		return [...this.sessionsById.values()].filter((session) => session.status === 'active');
	}

	closeSession(sessionId: string, body: CloseSessionBody): { status: 'closed'; message: string } {
		const session = this.getSession(sessionId);
		if (session.status === 'closed') return { status: 'closed', message: 'Browser session already closed' };
		const busy = session.currentRun !== null || session.queue.length > 0;
		if (busy && !body.force) throw new ApiError(409, 'Browser session is busy; use force to close it');

		// Closed first, so cancelling the current run does not hand the session to a queued one.
		session.status = 'closed';
		session.closedAt = Date.now();
		const message = `Browser session ${session.id} was closed`;
		for (const queued of [...session.queue]) this.finish(queued, 'X', message);
		if (session.currentRun) this.finish(session.currentRun, 'X', message);

		const stateName = body.preserve_state ?? session.preserveState;
		if (stateName !== null) this.saveState(stateName, session.id);
		return { status: 'closed', message: 'Browser session closed' };
	}

	private usableSession(sessionId: string): SessionRecord {
		const session = this.getSession(sessionId);
		if (session.status === 'closed') throw new ApiError(400, `Browser session ${sessionId} is closed`);
		return session;
	}

	// ---- states -----------------------------------------------------------------------------

	private saveState(name: string, savedBy: string): void {
		this.savedStates.set(name, { name, savedAt: Date.now(), savedBy });
	}

	private requireSavedStates(names: string[]): void {
		const missing = names.find((name) => !this.savedStates.has(name));
		if (missing !== undefined) throw new ApiError(400, `Browser state '${missing}' not found`);
	}

	// ---- inspection -------------------------------------------------------------------------

	runs(): SimRun[] {
		return [...this.runsById.values()].map(toSimRun);
	}

	sessions(): SimSession[] {
		return [...this.sessionsById.values()].map(toSimSession);
	}

	states(): SavedState[] {
		return [...this.savedStates.values()].map((state) => ({ ...state }));
	}

	runCounts(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const run of this.runsById.values()) counts[run.definition.id] = (counts[run.definition.id] ?? 0) + 1;
		return counts;
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

	/**
	 * Forgets runs, sessions and states. Unfinished runs are cancelled first so a synchronous
	 * talent call still waiting gets its answer instead of hanging.
	 */
	reset(): void {
		for (const run of this.runsById.values()) this.finish(run, 'X', null);
		this.runsById = new Map();
		this.sessionsById = new Map();
		this.savedStates = new Map();
		this.timeline = [];
	}
}
