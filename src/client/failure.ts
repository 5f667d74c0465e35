/** One attempt's failure (the facts the retry policy reads) and the WitriumApiError it finally becomes. */
import { WitriumApiError, type ApiErrorKind } from './errors';
import { mayHaveStarted } from './retry';
import { STATUS_TEXTS } from './statusTexts';

/** What a request may have started on the service when it fails after being sent. */
export type StartsWork = 'run' | 'talent' | 'session';

const STARTED_PHRASE: Record<StartsWork, string> = {
	run: 'the run may have started',
	talent: 'the talent may have started running',
	session: 'the browser session may have been created',
};

export interface AttemptFailure {
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
	/** The HTTP stack refused to build the request (a header it cannot send): nothing was sent. */
	unsendable?: boolean;
	/** What the egress rules threw (kind `blocked`). */
	cause?: unknown;
}

export class AttemptError extends Error {
	constructor(readonly failure: AttemptFailure) {
		super(failure.summary);
	}
}

/** Refused by the host's egress rules: nothing was sent. */
export function blockedFailure(error: unknown): AttemptFailure {
	return {
		kind: 'blocked',
		summary: error instanceof Error ? error.message : String(error),
		delivered: false,
		transient: false,
		cause: error,
	};
}

/** Where the request went, for the message; `scrub` removes the API token from any text. */
export interface RequestContext {
	endpoint: string;
	origin: string;
	startsWork?: StartsWork;
	scrub(text: string): string;
}

/** `503 Service Unavailable`; an unknown code as the bare number. */
export function statusText(status: number): string {
	const text = STATUS_TEXTS[status];
	return text ? `${status} ${text}` : String(status);
}

function formatSeconds(ms: number): string {
	return `${Math.ceil(ms / 1000)} s`;
}

export function abortedError(ctx: RequestContext, inFlight: boolean): WitriumApiError {
	const { endpoint, startsWork } = ctx;
	const started = startsWork ? inFlight : undefined;
	let message = `Witrium API request ${endpoint} was aborted`;
	if (startsWork && inFlight) message += `; ${STARTED_PHRASE[startsWork]} — check before submitting it again`;
	return new WitriumApiError(message, { kind: 'aborted', endpoint, retryable: false, mayHaveStarted: started });
}

/** The error for the last failed attempt (`retries` attempts came before it). */
export function failedError(ctx: RequestContext, retries: number, failure: AttemptFailure): WitriumApiError {
	const { endpoint, origin, startsWork } = ctx;
	const after = retries > 0 ? ` (after ${retries + 1} attempts)` : '';
	// Earlier attempts of a work-starting request were retried only when they provably did not
	// start anything, so only this last failure decides.
	const started = startsWork ? mayHaveStarted(failure) : undefined;
	let message: string;
	if (startsWork && started) {
		message =
			`${endpoint} failed after the request was sent (${failure.summary})${after}; ` +
			`${STARTED_PHRASE[startsWork]} — check before submitting it again`;
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
				message = `${failure.summary} (Witrium API, ${origin}, ${endpoint}: nothing was sent)`;
				break;
			case 'invalid-response':
				message = `Witrium API returned an invalid response on ${endpoint}: ${failure.summary}${after}`;
				break;
			default:
				message = failure.unsendable
					? `Witrium API request ${endpoint} could not be sent: ${failure.summary}`
					: `Could not reach the Witrium API (${origin}) for ${endpoint}: ${failure.summary}${after}`;
		}
	}
	const retryAt = failure.retryAfterMs !== undefined ? Date.now() + failure.retryAfterMs : undefined;
	if (retryAt !== undefined) {
		const at = new Date(retryAt).toISOString().replace(/\.\d+Z$/, 'Z');
		message += `; Witrium asked to retry after ${formatSeconds(failure.retryAfterMs!)} (at ${at})`;
	}
	return new WitriumApiError(ctx.scrub(message), {
		kind: failure.kind,
		status: failure.status,
		endpoint,
		detail: failure.detail,
		// A request that may have started work is not safe to repeat blindly.
		retryable: failure.transient && !started,
		notFound: failure.kind === 'http' && failure.status === 404 && !failure.transient,
		mayHaveStarted: started,
		cause: failure.cause,
		retryAt,
	});
}

/** Builds a validation-free error for malformed 2xx bodies found while mapping. */
export function invalidResponse(
	transport: { scrub(text: string): string },
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
