/** The Witrium API client: one method per endpoint, plus waitForRun. No n8n imports. */
import { WitriumError } from './errors';
import {
	DEFAULT_MAX_RETRIES,
	DEFAULT_REQUEST_TIMEOUT_MS,
	DEFAULT_RETRY_BASE_DELAY_MS,
	DEFAULT_RETRY_MAX_DELAY_MS,
	HttpTransport,
	type SendRequest,
} from './http';
import { invalidResponse, type StartsWork } from './failure';
import {
	isObject,
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
import { waitForRun } from './wait';

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
	private readonly http: HttpTransport;

	constructor(options: ClientOptions) {
		const token = typeof options?.apiToken === 'string' ? options.apiToken.trim() : '';
		if (!token) throw new WitriumError('The Witrium API token is missing: set it in the Witrium credential');
		this.http = new HttpTransport({
			apiToken: token,
			baseUrl: options.baseUrl ?? '',
			requestTimeoutMs: positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS) || DEFAULT_REQUEST_TIMEOUT_MS,
			maxRetries: Math.floor(positive(options.maxRetries, DEFAULT_MAX_RETRIES)),
			retryBaseDelayMs: positive(options.retryBaseDelayMs, DEFAULT_RETRY_BASE_DELAY_MS),
			retryMaxDelayMs: positive(options.retryMaxDelayMs, DEFAULT_RETRY_MAX_DELAY_MS),
			egress: options.egress,
		});
	}

	/** The normalized base URL (no trailing slash). */
	get baseUrl(): string {
		return this.http.baseUrl;
	}

	/** Submits a run (`POST /v1/workflows/{id}/run`); the run happens asynchronously. */
	async runWorkflow(workflowId: string, request?: RunWorkflowRequest, call?: CallOptions): Promise<RunSubmitted> {
		const path = `/v1/workflows/${id('workflow', workflowId)}/run`;
		const body = await this.object('POST', path, call, { body: toWire(request), startsWork: 'run' });
		if (typeof body.run_id !== 'string' || body.run_id === '') {
			throw invalidResponse(this.http, 'POST', path, 'no run_id in the answer', 'run');
		}
		return mapRunSubmitted(body, workflowId);
	}

	/** A run's current state and results (`GET /v1/runs/{id}/results`). */
	async getResults(runId: string, call?: CallOptions): Promise<RunResults> {
		return this.results(runId, call ?? {});
	}

	/** Polls a run until it reaches the awaited status; see WaitOptions. */
	async waitForRun(runId: string, options?: WaitOptions): Promise<RunResults> {
		id('run', runId);
		return waitForRun(runId, (call) => this.results(runId, call), options);
	}

	/** Cancels a run (`POST /v1/runs/{id}/cancel`, no body). */
	async cancelRun(runId: string, call?: CallOptions): Promise<CancelledRun> {
		const body = await this.object('POST', `/v1/runs/${id('run', runId)}/cancel`, call, {});
		return mapCancelledRun(body, runId);
	}

	/** Runs a talent synchronously (`POST /v1/talents/{id}/run`): give a long `timeoutMs`. */
	async runTalent(talentId: string, request?: RunTalentRequest, call?: CallOptions): Promise<TalentResult> {
		const path = `/v1/talents/${id('talent', talentId)}/run`;
		const body = await this.object('POST', path, call, { body: toWire(request), startsWork: 'talent' });
		return mapTalentResult(body);
	}

	/** Creates a browser session (`POST /v1/browser-sessions`). */
	async createSession(request?: CreateSessionRequest, call?: CallOptions): Promise<BrowserSession> {
		const path = '/v1/browser-sessions';
		const body = await this.object('POST', path, call, { body: toWire(request), startsWork: 'session' });
		if (typeof body.uuid !== 'string' || body.uuid === '') {
			throw invalidResponse(this.http, 'POST', path, 'no session uuid in the answer', 'session');
		}
		return mapSession(body);
	}

	/** Lists browser sessions (`GET /v1/browser-sessions`). */
	async listSessions(call?: CallOptions): Promise<SessionList> {
		return mapSessionList(await this.object('GET', '/v1/browser-sessions', call, {}));
	}

	/** One browser session (`GET /v1/browser-sessions/{id}`). */
	async getSession(sessionId: string, call?: CallOptions): Promise<BrowserSession> {
		const path = `/v1/browser-sessions/${id('session', sessionId)}`;
		const body = await this.object('GET', path, call, {});
		if (typeof body.uuid !== 'string') throw invalidResponse(this.http, 'GET', path, 'no session uuid in the answer');
		return mapSession(body);
	}

	/** Closes a browser session (`POST /v1/browser-sessions/{id}`); a body only when force/preserveState is set. */
	async closeSession(sessionId: string, request?: CloseSessionRequest, call?: CallOptions): Promise<CloseSessionResult> {
		const wire = toWire({ force: request?.force, preserveState: request?.preserveState });
		const body = await this.object('POST', `/v1/browser-sessions/${id('session', sessionId)}`, call, {
			body: Object.keys(wire).length > 0 ? wire : undefined,
		});
		return mapCloseResult(body);
	}

	private async results(runId: string, call: CallOptions & { deadlineAt?: number }): Promise<RunResults> {
		const path = `/v1/runs/${id('run', runId)}/results`;
		const body = await this.object('GET', path, call, { deadlineAt: call.deadlineAt });
		if (typeof body.status !== 'string') throw invalidResponse(this.http, 'GET', path, 'no run status in the answer');
		return mapRunResults(body, runId);
	}

	private async object(
		method: 'GET' | 'POST',
		path: string,
		call: CallOptions | undefined,
		extra: { body?: Json; startsWork?: StartsWork; deadlineAt?: number },
	): Promise<Json> {
		const request: SendRequest = {
			method,
			path,
			body: extra.body,
			startsWork: extra.startsWork,
			timeoutMs: call?.timeoutMs,
			signal: call?.signal,
			deadlineAt: extra.deadlineAt,
		};
		const json = await this.http.send(request);
		if (!isObject(json)) {
			throw invalidResponse(this.http, method, path, 'expected a JSON object', extra.startsWork);
		}
		return json;
	}
}
