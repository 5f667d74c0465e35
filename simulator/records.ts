/**
 * The engine's internal records. They carry more than the public SimRun / SimSession views
 * (timers, queues, the definition a run was started with), so they stay private to the simulator
 * and are projected by toSimRun / toSimSession.
 */
import type { SimRun, SimSession, SimStatus, TalentDefinition, UploadedFile, WorkflowDefinition } from './types';

export interface ExecutionRecord {
	/** 1-based position in the workflow definition (kept when the first "go to" step is skipped). */
	order: number;
	instructionId: string;
	instruction: string;
	status: SimStatus;
	result: unknown;
	resultFormat: string | null;
	errorMessage: string | null;
}

interface RunRecordBase {
	runId: string;
	/** One of SimStatus, or a workflow's own `endStatus`. */
	status: string;
	args: Record<string, string | number>;
	files: UploadedFile[];
	session: SessionRecord | null;
	useStates: string[] | null;
	useStatesIgnored: boolean;
	restoredStates: string[];
	preserveState: string | null;
	noIntelligence: boolean | null;
	recordSession: boolean | null;
	skipGotoUrlInstruction: boolean | null;
	executions: ExecutionRecord[];
	result: unknown;
	resultFormat: string | null;
	message: string | null;
	errorMessage: string | null;
	submittedAt: number;
	startedAt: number | null;
	completedAt: number | null;
	cancelledAt: number | null;
	/** Cancels whichever timer drives the run next (start delay, current step, talent duration). */
	stopTimer: (() => void) | null;
	/** Called once when the run reaches a terminal status (a synchronous talent call waits on this). */
	onSettled: Array<() => void>;
}

/** A run keeps a copy of the definition it was submitted with: define() later does not change it. */
export type RunRecord =
	| (RunRecordBase & { kind: 'workflow'; definition: WorkflowDefinition })
	| (RunRecordBase & { kind: 'talent'; definition: TalentDefinition });

export interface SessionRecord {
	id: string;
	status: 'active' | 'closed';
	provider: string;
	useProxy: boolean;
	proxyCountry: string | null;
	proxyCity: string | null;
	useStates: string[];
	states: Set<string>;
	preserveState: string | null;
	currentRun: RunRecord | null;
	queue: RunRecord[];
	createdAt: number;
	lastActivityAt: number;
	closedAt: number | null;
}

export function toSimRun(run: RunRecord): SimRun {
	return {
		runId: run.runId,
		kind: run.kind,
		definitionId: run.definition.id,
		status: run.status,
		args: { ...run.args },
		files: run.files.map((file) => ({ ...file })),
		sessionId: run.session?.id ?? null,
		useStates: run.useStates ? [...run.useStates] : null,
		useStatesIgnored: run.useStatesIgnored,
		restoredStates: [...run.restoredStates],
		preserveState: run.preserveState,
		noIntelligence: run.noIntelligence,
		recordSession: run.recordSession,
		skipGotoUrlInstruction: run.skipGotoUrlInstruction,
		errorMessage: run.errorMessage,
		submittedAt: run.submittedAt,
		startedAt: run.startedAt,
		completedAt: run.completedAt,
		cancelledAt: run.cancelledAt,
	};
}

export function toSimSession(session: SessionRecord): SimSession {
	return {
		sessionId: session.id,
		status: session.status,
		provider: session.provider,
		useProxy: session.useProxy,
		proxyCountry: session.proxyCountry,
		proxyCity: session.proxyCity,
		useStates: [...session.useStates],
		states: [...session.states],
		preserveState: session.preserveState,
		currentRunId: session.currentRun?.runId ?? null,
		queuedRunIds: session.queue.map((run) => run.runId),
		createdAt: session.createdAt,
		lastActivityAt: session.lastActivityAt,
		closedAt: session.closedAt,
	};
}
