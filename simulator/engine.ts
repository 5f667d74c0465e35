/**
 * The simulated service's rules: which runs, sessions and saved browser states exist, and what
 * a submission, a cancel or a close may do (sessions run one run at a time; lifecycle.ts moves
 * the runs through time). It knows nothing of HTTP; rule violations are thrown as ApiError and
 * the HTTP layer answers them.
 */
import { randomUUID } from 'node:crypto';

import { ApiError, notFound } from './errors';
import { RunLifecycle } from './lifecycle';
import { toSimRun, toSimSession, type RunRecord, type SessionRecord } from './records';
import type { TimerRegistry } from './timers';
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

const SESSION_DEFAULTS = { provider: 'omega', proxyCountry: 'us', proxyCity: 'New York' };

export class SimEngine {
	private readonly workflows = new Map<string, WorkflowDefinition>();
	private readonly talents = new Map<string, TalentDefinition>();
	private runsById = new Map<string, RunRecord>();
	private sessionsById = new Map<string, SessionRecord>();
	private savedStates = new Map<string, SavedState>();
	private readonly lifecycle: RunLifecycle;

	constructor(timers: TimerRegistry) {
		this.lifecycle = new RunLifecycle(timers, (name, savedBy) => this.saveState(name, savedBy));
	}

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

	/** Ends a run now (a test decides when runs end): completed, or failed with `fail`; a finished one stays as it is. */
	endRun(runId: string, fail?: string): void {
		const run = this.getRun(runId);
		for (const execution of run.executions) {
			if (execution.status !== 'R') continue;
			execution.status = fail === undefined ? 'C' : 'F';
			if (fail !== undefined) execution.errorMessage = fail;
		}
		this.lifecycle.finish(run, fail === undefined ? 'C' : 'F', fail ?? null);
	}

	/** A pending or running run is cancelled at once; a finished one is returned as it is. */
	cancelRun(runId: string): RunRecord {
		const run = this.getRun(runId);
		this.lifecycle.finish(run, 'X', null);
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
	private admit(run: RunRecord): void {
		this.runsById.set(run.runId, run);
		this.lifecycle.start(run);
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
		for (const queued of [...session.queue]) this.lifecycle.finish(queued, 'X', message);
		if (session.currentRun) this.lifecycle.finish(session.currentRun, 'X', message);

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
	maxConcurrentRuns(filter: { sessionId?: string } = {}): number {
		return this.lifecycle.maxConcurrentRuns(filter);
	}

	/**
	 * Forgets runs, sessions and states. Unfinished runs are cancelled first so a synchronous
	 * talent call still waiting gets its answer instead of hanging.
	 */
	reset(): void {
		for (const run of this.runsById.values()) this.lifecycle.finish(run, 'X', null);
		this.runsById = new Map();
		this.sessionsById = new Map();
		this.savedStates = new Map();
		this.lifecycle.forgetTimeline();
	}
}
