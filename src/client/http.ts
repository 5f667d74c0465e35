/**
 * The self-hosted edition's transport: undici through the pooled dispatcher, with its own timer
 * covering headers and body, redirects never followed, the host's egress rules applied; and the
 * timer sleep. The verified edition has neither (hostTransport.ts): n8n Cloud allows no timers or undici.
 */
import { request } from 'undici';
import { dispatcherFor } from './dispatchers';
import { refusedAt, type EgressGuard } from './egress';
import { AttemptError, blockedFailure } from './failure';
import { describeNetworkError, errorCodes } from './responses';
import { MAX_TIMER_MS } from './retry';
import type { Transport, TransportAnswer, TransportRequest } from './types';

const TIMEOUT = Symbol('timeout');

/** A transport sending `apiToken` as the API key; one per client, as the egress check is once per client. */
export function undiciTransport(options: { apiToken: string; egress?: EgressGuard }): Transport {
	const { apiToken, egress } = options;
	/** Set once the egress rules accepted the first URL (all share one origin). */
	let egressChecked = false;
	return {
		sleep,
		async send(req) {
			if (egress && !egressChecked) {
				try {
					await egress.validateUrl(req.url);
				} catch (error) {
					throw new AttemptError(blockedFailure(error));
				}
				egressChecked = true;
			}
			return await attempt(req, apiToken, egress);
		},
	};
}

async function attempt(req: TransportRequest, apiToken: string, egress: EgressGuard | undefined): Promise<TransportAnswer> {
	const controller = new AbortController();
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		controller.abort(TIMEOUT);
	}, req.timeoutMs);
	const onCallerAbort = () => controller.abort(req.signal?.reason);
	req.signal?.addEventListener('abort', onCallerAbort, { once: true });
	try {
		const res = await request(req.url, {
			method: req.method,
			headers: { ...req.headers, 'x-witrium-key': apiToken },
			body: req.body,
			signal: controller.signal,
			dispatcher: dispatcherFor(new URL(req.url).origin, egress?.lookup),
			headersTimeout: 0,
			bodyTimeout: 0,
		});
		return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
	} catch (err) {
		if (timedOut) {
			throw new AttemptError({
				kind: 'timeout',
				summary: `no complete response within ${req.timeoutMs} ms`,
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
			throw new AttemptError({ kind: 'network', summary: `${what}${hint}`, delivered: false, transient: false, unsendable: true });
		}
		const { text, delivered } = describeNetworkError(err);
		throw new AttemptError({ kind: 'network', summary: text, delivered, transient: true });
	} finally {
		clearTimeout(timer);
		req.signal?.removeEventListener('abort', onCallerAbort);
	}
}

/**
 * Resolves after `ms` (any length: a Node timer longer than ~24.8 days would fire after 1 ms, so
 * a longer sleep is taken in parts); rejects with `signal.reason` (or an AbortError) at once when the signal fires.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortReason(signal));
			return;
		}
		const until = Date.now() + Math.max(0, ms);
		let timer: NodeJS.Timeout;
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortReason(signal!));
		};
		const wait = () => {
			const left = until - Date.now();
			if (left > MAX_TIMER_MS) {
				timer = setTimeout(wait, MAX_TIMER_MS);
				return;
			}
			timer = setTimeout(
				() => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
				Math.max(0, left),
			);
		};
		wait();
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}
