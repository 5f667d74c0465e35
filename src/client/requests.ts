/**
 * Sending one API request through the edition's transport: a timeout per attempt, retried as
 * `retry.ts` decides, every failure turned into one WitriumApiError whose text never carries the API token.
 */
import { WitriumError } from './errors';
import { abortedError, AttemptError, failedError, type AttemptFailure, type RequestContext, type StartsWork } from './failure';
import { interpretResponse } from './responses';
import { retryDelay } from './retry';
import type { Transport } from './types';

export const DEFAULT_BASE_URL = 'https://api.witrium.com';
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
/** The whole of a best-effort call (CallOptions.bestEffort), retries included. */
export const BEST_EFFORT_MS = 5000;

export interface RequestsOptions {
	apiToken: string;
	baseUrl: string;
	requestTimeoutMs: number;
	maxRetries: number;
	retryBaseDelayMs: number;
	retryMaxDelayMs: number;
	transport: Transport;
}

export interface SendRequest {
	method: 'GET' | 'POST';
	/** Path with ids already percent-encoded, e.g. `/v1/runs/abc/results`. */
	path: string;
	/** JSON body; undefined sends no body (and no Content-Type). */
	body?: Record<string, unknown>;
	/** Set for requests that start work: retried only when they provably started nothing (retry.ts `mayHaveStarted`). */
	startsWork?: StartsWork;
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Absolute time (Date.now()) after which no attempt or backoff may run: each attempt's timeout shrinks to fit. */
	deadlineAt?: number;
}

/**
 * Trims it, drops trailing slashes and a trailing `/v1`, and checks the URL is http(s); empty means
 * the default. A bad one is never quoted back: it may be the API key, pasted into the wrong field.
 */
export function normalizeBaseUrl(baseUrl: string | undefined): string {
	const raw = (baseUrl ?? '').trim() || DEFAULT_BASE_URL;
	let url: URL | undefined;
	try {
		url = new URL(raw);
	} catch {
		url = undefined;
	}
	if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
		throw new WitriumError(
			`The Base URL in the Witrium API credential is not an http(s) URL (not shown, in case a key was pasted there): use ${DEFAULT_BASE_URL} unless told otherwise`,
		);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new WitriumError(
			`The Base URL in the Witrium API credential must not contain credentials, a query or a fragment: use e.g. ${DEFAULT_BASE_URL}`,
		);
	}
	// The paths start with /v1, so a base URL copied with it (or a trailing slash) is cut back.
	return raw.replace(/\/+$/, '').replace(/\/v1$/i, '').replace(/\/+$/, '');
}

export class ApiRequests {
	readonly baseUrl: string;
	private readonly origin: string;
	private readonly token: string;

	constructor(private readonly options: RequestsOptions) {
		this.baseUrl = normalizeBaseUrl(options.baseUrl);
		this.origin = new URL(this.baseUrl).origin;
		this.token = options.apiToken;
	}

	/** Replaces any occurrence of the API token (and its encoded form) with `***`. */
	scrub(text: string): string;
	scrub(text: string | undefined): string | undefined;
	scrub(text: string | undefined): string | undefined {
		if (text === undefined || this.token.length < 4) return text;
		let out = text.split(this.token).join('***');
		const encoded = encodeURIComponent(this.token);
		if (encoded !== this.token) out = out.split(encoded).join('***');
		return out;
	}

	async send(req: SendRequest): Promise<unknown> {
		const ctx: RequestContext = {
			endpoint: this.scrub(`${req.method} ${req.path}`),
			origin: this.origin,
			startsWork: req.startsWork,
			scrub: (text) => this.scrub(text),
		};
		for (let attempt = 0; ; attempt++) {
			if (req.signal?.aborted) throw abortedError(ctx, false);
			const timeoutMs = this.attemptTimeout(req);
			if (timeoutMs <= 0) {
				throw failedError(ctx, attempt, {
					kind: 'timeout',
					summary: 'no time left before the deadline',
					delivered: false,
					transient: true,
				});
			}
			let failure: AttemptFailure;
			try {
				return await this.attempt(req, timeoutMs);
			} catch (err) {
				if (!(err instanceof AttemptError)) throw err;
				failure = err.failure;
			}
			if (failure.kind === 'aborted') throw abortedError(ctx, failure.delivered);
			const delay = retryDelay(failure, attempt, req, this.options);
			if (delay === undefined) throw failedError(ctx, attempt, failure);
			try {
				await this.options.transport.sleep(delay, req.signal);
			} catch {
				throw abortedError(ctx, false);
			}
		}
	}

	private attemptTimeout(req: SendRequest): number {
		let timeout = req.timeoutMs ?? this.options.requestTimeoutMs;
		if (!(timeout > 0)) timeout = this.options.requestTimeoutMs;
		if (req.deadlineAt !== undefined) timeout = Math.min(timeout, req.deadlineAt - Date.now());
		return timeout;
	}

	private async attempt(req: SendRequest, timeoutMs: number): Promise<unknown> {
		const headers: Record<string, string> = { accept: 'application/json' };
		let body: string | undefined;
		if (req.body !== undefined) {
			body = JSON.stringify(req.body);
			headers['content-type'] = 'application/json';
		}
		const answer = await this.options.transport.send({
			method: req.method,
			url: this.baseUrl + req.path,
			headers,
			body,
			timeoutMs,
			signal: req.signal,
		});
		return interpretResponse(answer.status, answer.headers, answer.text, this.baseUrl, (t) => this.scrub(t));
	}
}
