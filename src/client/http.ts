/**
 * Transport: one pooled undici dispatcher per origin + proxy environment, per-request
 * timeouts covering headers and body, retries with full-jitter backoff and Retry-After,
 * redirects never followed, and every failure turned into one WitriumApiError whose text
 * never carries the API token.
 */
import { STATUS_CODES } from 'node:http';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { WitriumApiError, WitriumError, type ApiErrorKind } from './errors';
import { guardedLookup, lookupId, refusedAt } from './egress';
import type { EgressGuard, LookupFunction } from './types';

export const DEFAULT_BASE_URL = 'https://api.witrium.com';
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;

/** What a request may have started on the service when it fails after being sent. */
export type StartsWork = 'run' | 'talent' | 'session';

const STARTED_PHRASE: Record<StartsWork, string> = {
	run: 'the run may have started',
	talent: 'the talent may have started running',
	session: 'the browser session may have been created',
};

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

// ---------------------------------------------------------------------------------------------
// Dispatchers: one per origin + proxy environment + connect-time lookup, shared by every client instance.

const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];
const dispatchers = new Map<string, Dispatcher>();

function proxyEnvKey(): string {
	return PROXY_ENV.map((name) => process.env[name] ?? '').join('\u0000');
}

/**
 * The pooled dispatcher for an origin under the current proxy environment and, when the host has
 * egress rules, their connect-time lookup (created once, keep-alive).
 */
export function dispatcherFor(origin: string, lookup?: LookupFunction): Dispatcher {
	const envKey = proxyEnvKey();
	const key = `${origin}\u0001${envKey}\u0001${lookup ? lookupId(lookup) : 0}`;
	let dispatcher = dispatchers.get(key);
	if (!dispatcher) {
		const hasProxy = envKey.replace(/\u0000/g, '') !== '';
		const connect = lookup ? { lookup: guardedLookup(lookup) } : undefined;
		// Our own timer covers connect + headers + body; undici's defaults (300 s) would cut long
		// synchronous talent runs short, so its own header/body timeouts are disabled per request.
		dispatcher = hasProxy ? new EnvHttpProxyAgent({ connect }) : new Agent({ connect });
		dispatchers.set(key, dispatcher);
	}
	return dispatcher;
}

/** Closes every pooled dispatcher (tests, or a host shutting down). New requests create fresh ones. */
export async function closeAllDispatchers(): Promise<void> {
	const all = [...dispatchers.values()];
	dispatchers.clear();
	await Promise.all(all.map((d) => d.close().catch(() => undefined)));
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/** Trims it, drops trailing slashes and a trailing `/v1`, and checks the URL is http(s); empty means the default. */
export function normalizeBaseUrl(baseUrl: string | undefined): string {
	const raw = (baseUrl ?? '').trim() || DEFAULT_BASE_URL;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		const shown = raw.includes('@') ? '' : ` "${raw}"`;
		throw new WitriumError(`Invalid Witrium base URL${shown}: expected e.g. ${DEFAULT_BASE_URL}`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new WitriumError(`Invalid Witrium base URL (${url.protocol}): only http and https are supported`);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new WitriumError(
			`Invalid Witrium base URL: it must not contain credentials, a query or a fragment (e.g. ${DEFAULT_BASE_URL})`,
		);
	}
	// The paths start with /v1, so a base URL copied with it (or a trailing slash) is cut back.
	return raw.replace(/\/+$/, '').replace(/\/v1$/i, '').replace(/\/+$/, '');
}

/** An abortable sleep: rejects with `signal.reason` (or an AbortError) at once when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortReason(signal));
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortReason(signal!));
		};
		const timer = setTimeout(
			() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			},
			Math.max(0, ms),
		);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}

/** Full jitter: a random delay in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
	return Math.floor(random() * ceiling);
}

/** Parses a Retry-After header (delta seconds or HTTP date) into milliseconds, or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	if (header === undefined) return undefined;
	const text = header.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

function formatSeconds(ms: number): string {
	return `${Math.ceil(ms / 1000)} s`;
}

function statusText(status: number): string {
	const text = STATUS_CODES[status];
	return text ? `${status} ${text}` : String(status);
}

/** Flattens a FastAPI `detail` (string, validation list or other JSON) into one line. */
export function formatDetail(detail: unknown): string | undefined {
	if (detail === undefined || detail === null) return undefined;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		const parts = detail.map((entry) => {
			if (entry && typeof entry === 'object') {
				const { loc, msg } = entry as { loc?: unknown; msg?: unknown };
				const where = Array.isArray(loc) ? loc.map(String).join('.') : undefined;
				const what = typeof msg === 'string' ? msg : JSON.stringify(entry);
				return where ? `${where}: ${what}` : what;
			}
			return String(entry);
		});
		return parts.join('; ');
	}
	return JSON.stringify(detail);
}

/** A short, whitespace-collapsed, tag-free excerpt of a non-JSON body (≤ 200 chars). */
export function excerpt(body: string, max = 200): string | undefined {
	const text = body
		.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
		.replace(/<[^>]*>/g, ' ')
		.replace(/&nbsp;/gi, ' ')
		.replace(/&amp;/gi, '&')
		.replace(/&lt;/gi, '<')
		.replace(/&gt;/gi, '>')
		.replace(/\s+/g, ' ')
		.trim();
	if (!text) return undefined;
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function errorCodes(err: unknown): string[] {
	const codes: string[] = [];
	const visit = (e: unknown, depth: number) => {
		if (!e || typeof e !== 'object' || depth > 3) return;
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string') codes.push(code);
		visit((e as { cause?: unknown }).cause, depth + 1);
		const errors = (e as { errors?: unknown }).errors;
		if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
	};
	visit(err, 0);
	return codes;
}

/** Refused by the host's egress rules: nothing was sent. */
function blockedFailure(error: unknown): AttemptFailure {
	return {
		kind: 'blocked',
		summary: error instanceof Error ? error.message : String(error),
		delivered: false,
		transient: false,
		cause: error,
	};
}

/** Connection refused, DNS failure or connect timeout: the request was provably never sent. */
const NOT_DELIVERED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function describeNetworkError(err: unknown): { text: string; delivered: boolean } {
	const codes = errorCodes(err);
	const notDelivered = codes.length > 0 && codes.some((c) => NOT_DELIVERED_CODES.has(c));
	const code = codes.find((c) => NOT_DELIVERED_CODES.has(c)) ?? codes[0];
	const texts: Record<string, string> = {
		ECONNREFUSED: 'connection refused',
		ENOTFOUND: 'host not found (DNS)',
		EAI_AGAIN: 'DNS lookup failed',
		UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
		ECONNRESET: 'connection reset',
		UND_ERR_SOCKET: 'connection closed by the other side',
		EPIPE: 'connection closed',
	};
	let text = (code && texts[code]) || (err instanceof Error ? err.message : String(err));
	if (code && !texts[code]) text = `${text} (${code})`;
	return { text, delivered: !notDelivered };
}

// ---------------------------------------------------------------------------------------------
// The transport.

interface AttemptFailure {
	kind: ApiErrorKind;
	status?: number;
	detail?: string;
	/** Short text for the message, e.g. `503 Service Unavailable: busy` or `connection reset`. */
	summary: string;
	/** Whether the request may have reached the service. */
	delivered: boolean;
	/** Whether the condition is transient (a later retry could help). */
	transient: boolean;
	retryAfterMs?: number;
	location?: string;
	/** undici refused to build the request: nothing was sent. */
	unsendable?: boolean;
	/** What the egress rules threw (kind `blocked`). */
	cause?: unknown;
}

interface AttemptSuccess {
	json: unknown;
}

class AttemptError extends Error {
	constructor(readonly failure: AttemptFailure) {
		super(failure.summary);
	}
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
		const endpoint = this.scrub(`${req.method} ${req.path}`);
		await this.checkEgress(endpoint, req);
		const maxRetries = Math.max(0, this.options.maxRetries);
		for (let attempt = 0; ; attempt++) {
			if (req.signal?.aborted) throw this.abortedError(endpoint, req, false);
			const timeoutMs = this.attemptTimeout(req);
			if (timeoutMs <= 0) {
				throw this.buildError(endpoint, req, attempt, {
					kind: 'timeout',
					summary: 'no time left before the deadline',
					delivered: false,
					transient: true,
				});
			}
			let failure: AttemptFailure;
			try {
				return (await this.attempt(req, timeoutMs)).json;
			} catch (err) {
				if (!(err instanceof AttemptError)) throw err;
				failure = err.failure;
			}
			if (failure.kind === 'aborted') throw this.abortedError(endpoint, req, failure.delivered);

			// Reads, closes and cancels retry on anything transient. Requests that start work retry
			// only when the service refused them (429) or they provably never left this machine.
			const retryAllowed = req.startsWork
				? failure.status === 429 || (failure.kind === 'network' && !failure.delivered && failure.transient)
				: failure.transient;
			if (!retryAllowed || attempt >= maxRetries) throw this.buildError(endpoint, req, attempt, failure);

			// A Retry-After beyond what one retry may wait (or past the deadline) is obeyed, not cut
			// short: the request fails now and the error says when to try again.
			let delay = backoffDelay(attempt, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs);
			if (failure.retryAfterMs !== undefined) {
				if (failure.retryAfterMs > this.options.retryMaxDelayMs) throw this.buildError(endpoint, req, attempt, failure);
				delay = Math.max(delay, failure.retryAfterMs);
			}
			if (req.deadlineAt !== undefined && Date.now() + delay >= req.deadlineAt) {
				throw this.buildError(endpoint, req, attempt, failure);
			}
			try {
				await sleep(delay, req.signal);
			} catch {
				throw this.abortedError(endpoint, req, false);
			}
		}
	}

	/** The host's egress rules refuse the base URL before anything is sent to it. */
	private async checkEgress(endpoint: string, req: SendRequest): Promise<void> {
		const egress = this.options.egress;
		if (!egress || this.egressChecked) return;
		try {
			await egress.validateUrl(this.baseUrl);
		} catch (error) {
			throw this.buildError(endpoint, req, 0, blockedFailure(error));
		}
		this.egressChecked = true;
	}

	private attemptTimeout(req: SendRequest): number {
		let timeout = req.timeoutMs ?? this.options.requestTimeoutMs;
		if (!(timeout > 0)) timeout = this.options.requestTimeoutMs;
		if (req.deadlineAt !== undefined) timeout = Math.min(timeout, req.deadlineAt - Date.now());
		return timeout;
	}

	private async attempt(req: SendRequest, timeoutMs: number): Promise<AttemptSuccess> {
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
			return this.interpret(res.statusCode, res.headers, text);
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

	private interpret(status: number, headers: Record<string, string | string[] | undefined>, text: string): AttemptSuccess {
		if (status >= 200 && status < 300) {
			if (text.trim() === '') return { json: null };
			try {
				return { json: JSON.parse(text) };
			} catch {
				throw new AttemptError({
					kind: 'invalid-response',
					status,
					summary: `${statusText(status)} with a body that is not JSON`,
					detail: this.scrub(excerpt(text)),
					delivered: true,
					transient: true,
				});
			}
		}
		if (status >= 300 && status < 400) {
			const location = Array.isArray(headers.location) ? headers.location[0] : headers.location;
			let host = 'an unspecified location';
			if (location) {
				try {
					host = new URL(location, this.baseUrl).host;
				} catch {
					host = 'an invalid location';
				}
			}
			throw new AttemptError({
				kind: 'redirect',
				status,
				summary: `${statusText(status)} redirect to ${host}`,
				location: host,
				delivered: true,
				transient: false,
			});
		}
		let detail: string | undefined;
		try {
			const parsed = JSON.parse(text) as unknown;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'detail' in parsed) {
				detail = formatDetail((parsed as { detail: unknown }).detail);
			} else {
				detail = excerpt(typeof parsed === 'string' ? parsed : text);
			}
		} catch {
			detail = excerpt(text);
		}
		detail = this.scrub(detail);
		const transient = status === 408 || status === 429 || (status >= 500 && status !== 501);
		return this.throwHttp({
			kind: 'http',
			status,
			detail,
			summary: detail && detail !== STATUS_CODES[status] ? `${statusText(status)}: ${detail}` : statusText(status),
			delivered: true,
			transient,
			retryAfterMs: parseRetryAfter(headers['retry-after']),
		});
	}

	private throwHttp(failure: AttemptFailure): never {
		throw new AttemptError(failure);
	}

	private abortedError(endpoint: string, req: SendRequest, inFlight: boolean): WitriumApiError {
		const mayHaveStarted = req.startsWork ? inFlight : undefined;
		let message = `Witrium API request ${endpoint} was aborted`;
		if (req.startsWork && inFlight) message += `; ${STARTED_PHRASE[req.startsWork]} — check before submitting it again`;
		return new WitriumApiError(message, { kind: 'aborted', endpoint, retryable: false, mayHaveStarted });
	}

	private buildError(
		endpoint: string,
		req: SendRequest,
		retries: number,
		failure: AttemptFailure,
	): WitriumApiError {
		const after = retries > 0 ? ` (after ${retries + 1} attempts)` : '';
		// Earlier attempts of a work-starting request were retried only when they provably did not
		// start anything, so only this last failure decides.
		const mayHaveStarted = req.startsWork ? failure.delivered && !isDefiniteRefusal(failure) : undefined;
		let message: string;
		if (req.startsWork && mayHaveStarted) {
			message =
				`${endpoint} failed after the request was sent (${failure.summary})${after}; ` +
				`${STARTED_PHRASE[req.startsWork]} — check before submitting it again`;
		} else {
			switch (failure.kind) {
				case 'http': {
					message = `Witrium API error ${failure.status} on ${endpoint}: ${failure.detail ?? statusText(failure.status!)}${after}`;
					if (failure.status === 401 || failure.status === 403) {
						message += ' — check the API token in the Witrium credential';
					}
					break;
				}
				case 'redirect':
					message =
						`Witrium API answered ${statusText(failure.status!)} on ${endpoint}, redirecting to ${failure.location}; ` +
						'redirects are not followed — check the base URL in the Witrium credential';
					break;
				case 'timeout':
					message = `Witrium API request ${endpoint} timed out: ${failure.summary}${after}`;
					break;
				case 'blocked':
					message = `${failure.summary} (Witrium API, ${this.origin}, ${endpoint}: nothing was sent)`;
					break;
				case 'invalid-response':
					message = `Witrium API returned an invalid response on ${endpoint}: ${failure.summary}${after}`;
					break;
				default:
					message = failure.unsendable
						? `Witrium API request ${endpoint} could not be sent: ${failure.summary}`
						: `Could not reach the Witrium API (${this.origin}) for ${endpoint}: ${failure.summary}${after}`;
			}
		}
		const retryAt = failure.retryAfterMs !== undefined ? Date.now() + failure.retryAfterMs : undefined;
		if (retryAt !== undefined) {
			const at = new Date(retryAt).toISOString().replace(/\.\d+Z$/, 'Z');
			message += `; Witrium asked to retry after ${formatSeconds(failure.retryAfterMs!)} (at ${at})`;
		}
		return new WitriumApiError(this.scrub(message), {
			kind: failure.kind,
			status: failure.status,
			endpoint,
			detail: failure.detail,
			// A request that may have started work is not safe to repeat blindly.
			retryable: failure.transient && !mayHaveStarted,
			mayHaveStarted,
			cause: failure.cause,
			retryAt,
		});
	}
}

/** A non-2xx answer other than a server failure: the service saw the request and refused it. */
function isDefiniteRefusal(failure: AttemptFailure): boolean {
	if (failure.kind === 'redirect') return true;
	return failure.kind === 'http' && failure.status !== undefined && failure.status < 500 && failure.status !== 408;
}

/** Builds a validation-free error for malformed 2xx bodies found while mapping. */
export function invalidResponse(
	transport: HttpTransport,
	method: string,
	path: string,
	why: string,
	startsWork?: StartsWork,
): WitriumApiError {
	const endpoint = transport.scrub(`${method} ${path}`);
	if (startsWork) {
		return new WitriumApiError(
			transport.scrub(
				`${endpoint} failed after the request was sent (invalid response: ${why}); ` +
					`${STARTED_PHRASE[startsWork]} — check before submitting it again`,
			),
			{ kind: 'invalid-response', endpoint, retryable: false, mayHaveStarted: true },
		);
	}
	return new WitriumApiError(transport.scrub(`Witrium API returned an invalid response on ${endpoint}: ${why}`), {
		kind: 'invalid-response',
		endpoint,
		retryable: false,
	});
}
