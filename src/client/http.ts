/**
 * Transport: sends one API request through the pooled dispatcher with a timeout covering headers
 * and body, redirects never followed, retried as `retry.ts` decides, and every failure turned
 * into one WitriumApiError whose text never carries the API token.
 */
import { request } from 'undici';
import { WitriumError } from './errors';
import { refusedAt } from './egress';
import { dispatcherFor } from './dispatchers';
import {
	abortedError,
	AttemptError,
	blockedFailure,
	failedError,
	type AttemptFailure,
	type RequestContext,
	type StartsWork,
} from './failure';
import { describeNetworkError, errorCodes, interpretResponse } from './responses';
import { retryDelay } from './retry';
import { sleep } from './sleep';
import type { EgressGuard } from './types';

export const DEFAULT_BASE_URL = 'https://api.witrium.com';
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
/** The whole of a best-effort call (CallOptions.bestEffort), retries included. */
export const BEST_EFFORT_MS = 5000;

export interface TransportOptions {
	apiToken: string;
	baseUrl: string;
	requestTimeoutMs: number;
	maxRetries: number;
	retryBaseDelayMs: number;
	retryMaxDelayMs: number;
	egress?: EgressGuard;
}

export interface SendRequest {
	method: 'GET' | 'POST';
	/** Path with ids already percent-encoded, e.g. `/v1/runs/abc/results`. */
	path: string;
	/** JSON body; undefined sends no body (and no Content-Type). */
	body?: Record<string, unknown>;
	/** Set for requests that start work: they are retried only when provably not delivered, or on 429. */
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

const TIMEOUT = Symbol('timeout');

export class HttpTransport {
	readonly baseUrl: string;
	private readonly origin: string;
	private readonly token: string;
	/** Set once the egress rules accepted the base URL. */
	private egressChecked = false;

	constructor(private readonly options: TransportOptions) {
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
		await this.checkEgress(ctx);
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
				await sleep(delay, req.signal);
			} catch {
				throw abortedError(ctx, false);
			}
		}
	}

	/** The host's egress rules refuse the base URL before anything is sent to it. */
	private async checkEgress(ctx: RequestContext): Promise<void> {
		const egress = this.options.egress;
		if (!egress || this.egressChecked) return;
		try {
			await egress.validateUrl(this.baseUrl);
		} catch (error) {
			throw failedError(ctx, 0, blockedFailure(error));
		}
		this.egressChecked = true;
	}

	private attemptTimeout(req: SendRequest): number {
		let timeout = req.timeoutMs ?? this.options.requestTimeoutMs;
		if (!(timeout > 0)) timeout = this.options.requestTimeoutMs;
		if (req.deadlineAt !== undefined) timeout = Math.min(timeout, req.deadlineAt - Date.now());
		return timeout;
	}

	private async attempt(req: SendRequest, timeoutMs: number): Promise<unknown> {
		const controller = new AbortController();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort(TIMEOUT);
		}, timeoutMs);
		const onCallerAbort = () => controller.abort(req.signal?.reason);
		req.signal?.addEventListener('abort', onCallerAbort, { once: true });

		const headers: Record<string, string> = {
			'x-witrium-key': this.token,
			accept: 'application/json',
		};
		let body: string | undefined;
		if (req.body !== undefined) {
			body = JSON.stringify(req.body);
			headers['content-type'] = 'application/json';
		}

		try {
			const res = await request(this.baseUrl + req.path, {
				method: req.method,
				headers,
				body,
				signal: controller.signal,
				dispatcher: dispatcherFor(this.origin, this.options.egress?.lookup),
				headersTimeout: 0,
				bodyTimeout: 0,
			});
			const text = await res.body.text();
			return interpretResponse(res.statusCode, res.headers, text, this.baseUrl, (t) => this.scrub(t));
		} catch (err) {
			if (err instanceof AttemptError) throw err;
			if (timedOut) {
				throw new AttemptError({
					kind: 'timeout',
					summary: `no complete response within ${timeoutMs} ms`,
					delivered: true,
					transient: true,
				});
			}
			const refusal = refusedAt(err);
			if (refusal) throw new AttemptError(blockedFailure(refusal));
			if (req.signal?.aborted) {
				// Aborted mid-flight: the request may well have been sent already.
				throw new AttemptError({ kind: 'aborted', summary: 'aborted', delivered: true, transient: false });
			}
			if (errorCodes(err).includes('UND_ERR_INVALID_ARG')) {
				// undici refused to build the request (e.g. a token with a line break): nothing was sent.
				const what = err instanceof Error ? err.message : String(err);
				const hint = /x-witrium-key/i.test(what) ? ' — check the API token in the Witrium credential for stray characters' : '';
				throw new AttemptError({
					kind: 'network',
					summary: `${what}${hint}`,
					delivered: false,
					transient: false,
					unsendable: true,
				});
			}
			const { text, delivered } = describeNetworkError(err);
			throw new AttemptError({ kind: 'network', summary: text, delivered, transient: true });
		} finally {
			clearTimeout(timer);
			req.signal?.removeEventListener('abort', onCallerAbort);
		}
	}
}
