/**
 * Public types of the Witrium simulator: what a test defines (workflows, talents, faults) and
 * what it can inspect afterwards (request log, runs, sessions). Everything here is plain data
 * so it can also travel as JSON through the `/__simulator/` control surface.
 */

/** Run and step status codes, as the service uses them. */
export type SimStatus = 'P' | 'R' | 'C' | 'F' | 'X';

/**
 * How response timestamps are written: `utc` ends them in `Z`, `naive` leaves the zone out (meaning UTC),
 * `postgres` writes them as PostgreSQL prints a UTC timestamptz (`2026-01-05 10:00:00.000+00`).
 */
export type TimestampStyle = 'utc' | 'naive' | 'postgres';

export interface WorkflowStep {
	instruction: string;
	durationMs: number;
	/** The step's own result, shown in `executions` once the step completes. */
	result?: unknown;
	resultFormat?: string;
}

export interface WorkflowDefinition {
	id: string;
	name?: string;
	description?: string;
	/** Time from submission (or from getting the session) until the run is `R`; default 100. */
	startDelayMs?: number;
	steps: WorkflowStep[];
	/**
	 * Final result (default null). String values of the exact form `{{args.NAME}}`, anywhere in
	 * it, are replaced by the run's argument NAME (null when absent).
	 */
	result?: unknown;
	resultFormat?: string;
	/** When true the final result is `{...result, args: <the run's args>}`. */
	echoArgs?: boolean;
	/** 1-based step that ends `F`, failing the run with `errorMessage`. */
	failAtStep?: number;
	errorMessage?: string;
	/** The run fails at step 1 unless this browser state was restored for it. */
	requiresState?: string;
	/**
	 * The code a run ends with once its last step completes (default `C`). Another code (e.g.
	 * `E`) models one the service may add: the run is over (`completed_at` set) under a code
	 * outside the five the API documents.
	 */
	endStatus?: string;
}

export interface TalentDefinition {
	id: string;
	/** Shown as `workflow.name` / `workflow.description` in a cancelled talent's run record. */
	name?: string;
	description?: string;
	/** How long the talent runs once it has a browser; default 100. */
	durationMs?: number;
	result?: unknown;
	resultFormat?: string;
	/** When set, the talent ends `F` with this error message. */
	fail?: string;
	echoArgs?: boolean;
}

export interface Definitions {
	workflows?: WorkflowDefinition[];
	talents?: TalentDefinition[];
}

export type EndpointKey =
	| 'runWorkflow'
	| 'getResults'
	| 'cancelRun'
	| 'runTalent'
	| 'createSession'
	| 'listSessions'
	| 'getSession'
	| 'closeSession'
	| 'deleteSession';

export interface Fault {
	endpoint: EndpointKey | '*';
	kind: 'status' | 'reset' | 'delay' | 'malformed' | 'redirect';
	/** kind 'status': the HTTP status (default 503). */
	status?: number;
	/** Body `{"detail": detail}` (default: the status's reason phrase). */
	detail?: string;
	/** A raw body to send instead, e.g. a proxy's HTML page. */
	body?: string;
	/** Retry-After header value, e.g. "1". */
	retryAfter?: string;
	/** kind 'status': perform the request's effect before answering (default false: it never reached the app). */
	process?: boolean;
	/** kind 'reset': cut the connection before the request is processed, or after its effect but before any response byte. */
	when?: 'beforeRead' | 'afterHandle';
	/** kind 'delay': answer this much later (the effect happens at once). */
	delayMs?: number;
	/** kind 'redirect': 307 to this URL. */
	location?: string;
	/** Apply to the next N matching calls (default 1)... */
	times?: number;
	/** ...or, when set, to each matching call with this probability until cleared. */
	probability?: number;
}

export interface RequestLogEntry {
	/** Arrival time, ms since the epoch. */
	at: number;
	method: string;
	/** Path without the query string. */
	path: string;
	query: Record<string, string>;
	endpoint: EndpointKey | null;
	/** Lower-case header names with the values as sent (the real token included). */
	headers: Record<string, string>;
	/** Parsed JSON, the raw text when it is not JSON, or undefined when there was no body. */
	body: unknown;
	/** Status sent; 0 while the answer is pending or when the connection was cut instead. */
	status: number;
	fault?: Fault['kind'];
	/** Why the request was rejected as malformed (422), e.g. "extra_forbidden at body.foo". */
	invalid?: string;
	/** Things the service tolerates but a careful client should not do (null fields, ignored use_states). */
	notes?: string[];
}

export interface UploadedFile {
	filename: string;
	data: string;
}

export interface SimRun {
	runId: string;
	kind: 'workflow' | 'talent';
	definitionId: string;
	/** One of SimStatus, or a workflow's own `endStatus`. */
	status: string;
	args: Record<string, string | number>;
	files: UploadedFile[];
	sessionId: string | null;
	/** The run-level use_states as sent (null when not sent). */
	useStates: string[] | null;
	/** True when use_states was sent with a browser_session_id, so the service ignored it. */
	useStatesIgnored: boolean;
	/** The states actually restored for this run (its own, or its session's). */
	restoredStates: string[];
	preserveState: string | null;
	noIntelligence: boolean | null;
	recordSession: boolean | null;
	skipGotoUrlInstruction: boolean | null;
	errorMessage: string | null;
	/** Timestamps in ms since the epoch. */
	submittedAt: number;
	startedAt: number | null;
	completedAt: number | null;
	cancelledAt: number | null;
}

export interface SimSession {
	sessionId: string;
	status: 'active' | 'closed';
	provider: string;
	useProxy: boolean;
	proxyCountry: string | null;
	proxyCity: string | null;
	/** use_states given at creation. */
	useStates: string[];
	/** States present in this session: its use_states plus any preserved by a run in it. */
	states: string[];
	preserveState: string | null;
	currentRunId: string | null;
	/** Runs waiting for the session, oldest first. */
	queuedRunIds: string[];
	createdAt: number;
	lastActivityAt: number;
	closedAt: number | null;
}

export interface SavedState {
	name: string;
	savedAt: number;
	/** The run or session whose browser the state was saved from. */
	savedBy: string;
}
