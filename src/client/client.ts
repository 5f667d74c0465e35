/** The Witrium API client: one method per endpoint, plus waitForRun, over the transport it is given. No n8n imports. */
import { WitriumError } from './errors';
import {
	ApiRequests,
	BEST_EFFORT_MS,
	DEFAULT_MAX_RETRIES,
	DEFAULT_REQUEST_TIMEOUT_MS,
	DEFAULT_RETRY_BASE_DELAY_MS,
	DEFAULT_RETRY_MAX_DELAY_MS,
	type SendRequest,
} from './requests';
import { invalidResponse, type StartsWork } from './failure';
import {
	isObject,
	MissingField,
	mapCancelledRun,
	mapCloseResult,
	mapRunResults,
	mapRunSubmitted,
	mapSession,
	mapSessionList,
	mapTalentResult,
	toWire,
} from './mapping';
import type {
	BrowserSession,
	CallOptions,
	CancelledRun,
	ClientOptions,
	CloseSessionRequest,
	CloseSessionResult,
	CreateSessionRequest,
	RunResults,
	RunSubmitted,
	RunTalentRequest,
	SessionList,
	TalentResult,
	RunWorkflowRequest,
	WaitOptions,
} from './types';
import { waitForRun, type WaitClock } from './wait';

type Json = Record<string, unknown>;

function positive(value: number | undefined, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function id(kind: string, value: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new WitriumError(`A ${kind} id is required`);
	}
	return encodeURIComponent(value.trim());
}

export class WitriumClient {
	private readonly http: ApiRequests;
	private readonly clock: WaitClock;

	constructor(options: ClientOptions) {
		const token = typeof options?.apiToken === 'string' ? options.apiToken.trim() : '';
		if (!token) throw new WitriumError('The Witrium API token is missing: set it in the Witrium credential');
		this.clock = { now: () => Date.now(), sleep: options.transport.sleep };
		this.http = new ApiRequests({
			apiToken: token,
			baseUrl: options.baseUrl ?? '',
			requestTimeoutMs: positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS) || DEFAULT_REQUEST_TIMEOUT_MS,
			maxRetries: Math.floor(positive(options.maxRetries, DEFAULT_MAX_RETRIES)),
			retryBaseDelayMs: positive(options.retryBaseDelayMs, DEFAULT_RETRY_BASE_DELAY_MS),
			retryMaxDelayMs: positive(options.retryMaxDelayMs, DEFAULT_RETRY_MAX_DELAY_MS),
			transport: options.transport,
		});
	}

	/** The normalized base URL (no trailing slash). */
	get baseUrl(): string {
		return this.http.baseUrl;
	}

	/** Submits a run (`POST /v1/workflows/{id}/run`); the run happens asynchronously. */
	async runWorkflow(workflowId: string, request?: RunWorkflowRequest, call?: CallOptions): Promise<RunSubmitted> {
		const path = `/v1/workflows/${id('workflow', workflowId)}/run`;
		return this.object('POST', path, call, { body: toWire(request), startsWork: 'run' }, (body) => mapRunSubmitted(body, workflowId));
	}

	/** A run's current state and results (`GET /v1/runs/{id}/results`). */
	async getResults(runId: string, call?: CallOptions): Promise<RunResults> {
		return this.results(runId, call ?? {});
	}

	/** Polls a run until it reaches the awaited status; see WaitOptions. */
	async waitForRun(runId: string, options?: WaitOptions): Promise<RunResults> {
		id('run', runId);
		return waitForRun(runId, (call) => this.results(runId, call), options ?? {}, this.clock);
	}

	/** Cancels a run (`POST /v1/runs/{id}/cancel`, no body). */
	async cancelRun(runId: string, call?: CallOptions): Promise<CancelledRun> {
		return this.object('POST', `/v1/runs/${id('run', runId)}/cancel`, call, {}, (body) => mapCancelledRun(body, runId));
	}

	/** Runs a talent synchronously (`POST /v1/talents/{id}/run`): give a long `timeoutMs`. */
	async runTalent(talentId: string, request?: RunTalentRequest, call?: CallOptions): Promise<TalentResult> {
		const path = `/v1/talents/${id('talent', talentId)}/run`;
		return this.object('POST', path, call, { body: toWire(request), startsWork: 'talent' }, mapTalentResult);
	}

	/** Creates a browser session (`POST /v1/browser-sessions`). */
	async createSession(request?: CreateSessionRequest, call?: CallOptions): Promise<BrowserSession> {
		return this.object('POST', '/v1/browser-sessions', call, { body: toWire(request), startsWork: 'session' }, (body) => mapSession(body));
	}

	/** Lists browser sessions (`GET /v1/browser-sessions`). */
	async listSessions(call?: CallOptions): Promise<SessionList> {
		return this.object('GET', '/v1/browser-sessions', call, {}, mapSessionList);
	}

	/** One browser session (`GET /v1/browser-sessions/{id}`). */
	async getSession(sessionId: string, call?: CallOptions): Promise<BrowserSession> {
		return this.object('GET', `/v1/browser-sessions/${id('session', sessionId)}`, call, {}, (body) => mapSession(body));
	}

	/** Closes a browser session (`POST /v1/browser-sessions/{id}`); a body only when force/preserveState is set. */
	async closeSession(sessionId: string, request?: CloseSessionRequest, call?: CallOptions): Promise<CloseSessionResult> {
		const wire = toWire({ force: request?.force, preserveState: request?.preserveState });
		const path = `/v1/browser-sessions/${id('session', sessionId)}`;
		return this.object('POST', path, call, { body: Object.keys(wire).length > 0 ? wire : undefined }, mapCloseResult);
	}

	private async results(runId: string, call: CallOptions & { deadlineAt?: number }): Promise<RunResults> {
		const path = `/v1/runs/${id('run', runId)}/results`;
		return this.object('GET', path, call, { deadlineAt: call.deadlineAt }, (body) => mapRunResults(body, runId));
	}

	/** Sends one request and maps its JSON object answer; an answer that is not one, or lacks a required field, is an invalid-response error. */
	private async object<T>(
		method: 'GET' | 'POST',
		path: string,
		call: CallOptions | undefined,
		extra: { body?: Json; startsWork?: StartsWork; deadlineAt?: number },
		map: (body: Json) => T,
	): Promise<T> {
		const request: SendRequest = {
			method,
			path,
			body: extra.body,
			startsWork: extra.startsWork,
			timeoutMs: call?.timeoutMs,
			signal: call?.signal,
			deadlineAt: extra.deadlineAt ?? call?.deadlineAt ?? (call?.bestEffort ? Date.now() + BEST_EFFORT_MS : undefined),
		};
		const json = await this.http.send(request);
		if (!isObject(json)) {
			throw invalidResponse(this.http, method, path, 'expected a JSON object', extra.startsWork);
		}
		try {
			return map(json);
		} catch (error) {
			if (error instanceof MissingField) throw invalidResponse(this.http, method, path, error.message, extra.startsWork);
			throw error;
		}
	}
}
