/**
 * The shapes the client speaks in. Requests are camelCase here and snake_case on the wire;
 * responses are re-keyed to camelCase at the top level only: a run's `result` (and a step's
 * `result`) is the service's own data and is passed through untouched.
 */

/** Run status codes shared by runs and their steps. */
export type RunStatus = 'P' | 'R' | 'C' | 'F' | 'X';

export type ArgumentValue = string | number;

export interface UploadFile {
	filename: string;
	/** base64 */
	data: string;
}

export interface RunWorkflowRequest {
	args?: Record<string, ArgumentValue>;
	files?: UploadFile[];
	useStates?: string[];
	preserveState?: string;
	noIntelligence?: boolean;
	recordSession?: boolean;
	browserSessionId?: string;
	skipGotoUrlInstruction?: boolean;
}

export interface RunSubmitted {
	workflowId: string;
	runId: string;
	status: string;
}

export interface ExecutionStep {
	status: string;
	instructionOrder: number;
	instruction: string;
	result: unknown;
	resultFormat: string | null;
	errorMessage: string | null;
}

export interface RunResults {
	workflowId: string;
	runId: string;
	status: string;
	startedAt: string | null;
	completedAt: string | null;
	message: string | null;
	executions: ExecutionStep[];
	result: unknown;
	resultFormat: string | null;
	errorMessage: string | null;
}

export interface CancelledRun {
	uuid: string;
	sessionId: string | null;
	workflow: { uuid: string; name: string | null; description: string | null } | null;
	runType: string | null;
	triggeredBy: string | null;
	status: string;
	sessionActive: boolean | null;
	startedAt: string | null;
	completedAt: string | null;
	errorMessage: string | null;
	executions: Array<{
		instructionId: unknown;
		instruction: string | null;
		result: unknown;
		resultFormat: string | null;
		message: string | null;
		status: string;
		errorMessage: string | null;
	}>;
}

export interface RunTalentRequest {
	args?: Record<string, ArgumentValue>;
	files?: UploadFile[];
	useStates?: string[];
	preserveState?: string;
	browserSessionId?: string;
}

export interface TalentResult {
	status: string;
	startedAt: string | null;
	completedAt: string | null;
	message: string | null;
	result: unknown;
	resultFormat: string | null;
	errorMessage: string | null;
}

export interface CreateSessionRequest {
	provider?: string;
	useProxy?: boolean;
	proxyCountry?: string;
	proxyCity?: string;
	useStates?: string[];
	preserveState?: string;
}

export interface BrowserSession {
	uuid: string;
	provider: string | null;
	status: string;
	isBusy: boolean;
	userManaged: boolean | null;
	currentRunType: string | null;
	currentRunId: string | null;
	createdAt: string | null;
	startedAt: string | null;
	lastActivityAt: string | null;
	proxyCountry: string | null;
	proxyCity: string | null;
}

export interface SessionList {
	sessions: BrowserSession[];
	totalCount: number;
}

export interface CloseSessionRequest {
	force?: boolean;
	preserveState?: string;
}

export interface CloseSessionResult {
	status: string;
	message: string;
}

/** Per-call options accepted by every client method. */
export interface CallOptions {
	/** Aborts the request (and any retry backoff) at once. */
	signal?: AbortSignal;
	/** Overrides the client's request timeout for this call, in milliseconds. */
	timeoutMs?: number;
	/**
	 * A clean-up call made while giving up on work (cancel a run, close a session): the whole call,
	 * retries and their waits included, ends within BEST_EFFORT_MS (5 s), however the service answers.
	 */
	bestEffort?: boolean;
	/** Absolute time (`Date.now()`) past which no attempt or retry runs: each attempt's timeout shrinks to fit. */
	deadlineAt?: number;
}

export interface WaitOptions {
	/** `completed` (default) or `running`. */
	until?: 'completed' | 'running';
	/** With `until: 'running'`: also wait until the last step's status is `C`. */
	allInstructionsExecuted?: boolean;
	/** Overall deadline of the wait in milliseconds; 0 or undefined = no limit. */
	timeoutMs?: number;
	/**
	 * Longest pause between polls in milliseconds (default 10000). Above the default it is also the
	 * pause once the run is older than it: a setting to save requests (see poll.ts).
	 */
	maxPollIntervalMs?: number;
	/**
	 * The run's workflow, for a run the caller has just started: the wait then learns how long the
	 * workflow's runs take, and forecasts this one's end from what it learned before.
	 */
	workflowId?: string;
	/** Stops the wait within 100 ms. */
	signal?: AbortSignal;
	/** Called with every state the wait sees. */
	onProgress?: (run: RunResults) => void;
	/** Timeout of each poll request in milliseconds (defaults to the client's). */
	requestTimeoutMs?: number;
	/**
	 * How long a run may keep showing a status code outside P R C F X (without `completed_at`)
	 * before the wait ends with a WaitTimeoutError naming it, deadline or not (default 15 min).
	 */
	unknownStatusLimitMs?: number;
}

/** One HTTP request as the client hands it to its transport. */
export interface TransportRequest {
	method: 'GET' | 'POST';
	url: string;
	/** Accept and Content-Type; the transport adds the API key (undici) or the credential does (n8n). */
	headers: Record<string, string>;
	/** JSON text; undefined sends no body. */
	body?: string;
	/** The whole attempt, answer body included, ends within this. */
	timeoutMs: number;
	signal?: AbortSignal;
}

/** A complete answer, whatever its status: the client reads it (responses.ts). */
export interface TransportAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
}

/**
 * How an edition talks to the network and waits: undici and Node's timers in the self-hosted
 * package (http.ts), n8n's request helper and `sleep` in the verified one (hostTransport.ts).
 * Everything else (retries, errors, the run wait) is the client's, the same on both.
 */
export interface Transport {
	/**
	 * Sends one request and reads the whole answer; every other outcome is thrown as an
	 * AttemptError (failure.ts), saying whether the request may have reached the service.
	 */
	send(request: TransportRequest): Promise<TransportAnswer>;
	/** Resolves after `ms`; rejects once `signal` aborts (at once where the host can, else when the sleep ends). */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface ClientOptions {
	/** Used only to keep it out of every message: the transport sends it. */
	apiToken: string;
	transport: Transport;
	/** Default `https://api.witrium.com`. */
	baseUrl?: string;
	/** Per-request timeout in milliseconds (default 60000). */
	requestTimeoutMs?: number;
	/** Retries of a retryable request (default 4). */
	maxRetries?: number;
	/** First backoff step in milliseconds (default 500); doubles each retry, full jitter, capped. */
	retryBaseDelayMs?: number;
	/** Cap of one backoff or Retry-After wait in milliseconds (default 30000). */
	retryMaxDelayMs?: number;
}
