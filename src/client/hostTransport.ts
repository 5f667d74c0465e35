/**
 * The verified edition's transport, over the host's HTTP helper and sleep (n8n's
 * `httpRequestWithAuthentication` and `sleep`, handed in by src/n8n): no timer, socket or
 * process access of its own, as n8n Cloud requires. The host's outbound rules (SSRF, proxies) apply.
 */
import { AttemptError, blockedFailure } from './failure';
import { describeNetworkError, errorCodes } from './responses';
import { MAX_TIMER_MS } from './retry';
import type { Transport, TransportRequest } from './types';

/** What the host's helper answers with full responses on and status errors off. */
export interface HostAnswer {
	statusCode: number;
	headers: unknown;
	body: unknown;
}

/** Sends the request with `signal` as its only abort signal, following no redirect, answering whatever the status. */
export type HostRequest = (request: TransportRequest, signal: AbortSignal) => Promise<HostAnswer>;

/** Sleeps; a host may ignore `signal` (n8n before 1.98 does). */
export type HostSleep = (ms: number, signal?: AbortSignal) => Promise<unknown>;

export function hostTransport(request: HostRequest, hostSleep: HostSleep): Transport {
	return {
		async send(req) {
			const deadline = AbortSignal.timeout(req.timeoutMs);
			const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
			let answer: HostAnswer;
			try {
				answer = await request(req, signal);
			} catch (err) {
				throw new AttemptError(failureOf(err, req, deadline));
			}
			return { status: answer.statusCode, headers: plainHeaders(answer.headers), text: bodyText(answer.body) };
		},
		async sleep(ms, signal) {
			const until = Date.now() + Math.max(0, ms);
			for (;;) {
				// Checked after every sleep too, as a host that ignores the signal sleeps on through an abort.
				if (signal?.aborted) throw signal.reason ?? new Error('This operation was aborted');
				const left = until - Date.now();
				if (left <= 0) return;
				await hostSleep(Math.min(left, MAX_TIMER_MS), signal);
			}
		},
	};
}

function failureOf(err: unknown, req: TransportRequest, deadline: AbortSignal) {
	if (deadline.aborted) {
		return { kind: 'timeout' as const, summary: `no complete response within ${req.timeoutMs} ms`, delivered: true, transient: true };
	}
	// n8n's SSRF protection refuses before connecting (SsrfBlockedIpError, SsrfBlockedHostnameError).
	const refusal = causes(err).find((cause) => cause instanceof Error && cause.name.startsWith('Ssrf'));
	if (refusal) return blockedFailure(refusal);
	if (req.signal?.aborted) {
		// Aborted mid-flight: the request may well have been sent already.
		return { kind: 'aborted' as const, summary: 'aborted', delivered: true, transient: false };
	}
	if (errorCodes(err).some((code) => code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN')) {
		// Node refused to build the request (a token with a line break): nothing was sent.
		return {
			kind: 'network' as const,
			summary: 'a header value holds characters HTTP cannot send — check the API token in the Witrium credential for stray characters',
			delivered: false,
			transient: false,
			unsendable: true,
		};
	}
	const { text, delivered } = describeNetworkError(innermost(err));
	return { kind: 'network' as const, summary: text, delivered, transient: true };
}

/** The error and its causes, outermost first (n8n wraps what its HTTP stack threw in a NodeApiError). */
function causes(err: unknown): unknown[] {
	const chain: unknown[] = [];
	for (let at = err; at && typeof at === 'object' && chain.length < 5; at = (at as { cause?: unknown }).cause) chain.push(at);
	return chain;
}

/** The first error in the chain that carries a code (what the socket said), else the innermost. */
function innermost(err: unknown): unknown {
	const chain = causes(err);
	return chain.find((e) => typeof (e as { code?: unknown }).code === 'string') ?? chain[chain.length - 1] ?? err;
}

function plainHeaders(headers: unknown): Record<string, string | string[] | undefined> {
	const plain: Record<string, string | string[] | undefined> = {};
	if (!headers || typeof headers !== 'object') return plain;
	for (const [name, value] of Object.entries(headers)) {
		if (typeof value === 'string' || Array.isArray(value)) plain[name.toLowerCase()] = value as string | string[];
		else if (typeof value === 'number') plain[name.toLowerCase()] = String(value);
	}
	return plain;
}

function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	// A host that parsed the JSON itself despite being asked for text.
	return JSON.stringify(body);
}
