import type { RunResults } from './types';

/** Base of every error the client throws. Messages never contain the API token. */
export class WitriumError extends Error {
	constructor(message: string) {
		super(message);
		this.name = new.target.name;
	}
}

export type ApiErrorKind =
	| 'http' // the service answered with a non-2xx status
	| 'network' // the connection failed or was cut
	| 'timeout' // no answer within the request timeout
	| 'redirect' // the service answered 3xx; redirects are never followed
	| 'invalid-response' // a 2xx whose body is not the JSON expected
	| 'aborted' // the caller's AbortSignal fired
	| 'blocked'; // the host's egress rules (e.g. n8n's SSRF protection) refused the address: nothing was sent

/** One failed HTTP exchange with the service. */
export class WitriumApiError extends WitriumError {
	constructor(
		message: string,
		readonly details: {
			kind: ApiErrorKind;
			/** HTTP status, when the service answered. */
			status?: number;
			/** Method and path, e.g. `POST /v1/workflows/abc/run`: no host, no headers, no token. */
			endpoint: string;
			/** The service's `detail` (validation lists flattened to one line), or a short excerpt of a non-JSON body. */
			detail?: string;
			/** Whether trying again later could help (network trouble, 408, 429, 5xx, timeouts, a 404 not from Witrium). */
			retryable: boolean;
			/** Witrium itself answered 404 (a JSON `detail`): the id does not exist. A 404 page from a proxy is not this. */
			notFound?: boolean;
			/**
			 * For requests that start work (run workflow, run talent, create session): true when the
			 * request may have reached the service, so work may have started even though this failed.
			 */
			mayHaveStarted?: boolean;
			/** What the host's egress rules threw (kind `blocked`). */
			cause?: unknown;
			/** When the service's Retry-After allows the next try (Date.now() scale), if it sent one. */
			retryAt?: number;
		},
	) {
		super(message);
		if (details.cause !== undefined) this.cause = details.cause;
	}

	get kind() {
		return this.details.kind;
	}
	get status() {
		return this.details.status;
	}
	get endpoint() {
		return this.details.endpoint;
	}
	get detail() {
		return this.details.detail;
	}
	get retryable() {
		return this.details.retryable;
	}
	get retryAt() {
		return this.details.retryAt;
	}
	get notFound() {
		return this.details.notFound ?? false;
	}
	get mayHaveStarted() {
		return this.details.mayHaveStarted ?? false;
	}
}

/** A wait reached its deadline before the run reached the awaited status. */
export class WaitTimeoutError extends WitriumError {
	constructor(
		message: string,
		readonly runId: string,
		/** The last state seen, if any poll succeeded. */
		readonly lastRun: RunResults | undefined,
	) {
		super(message);
	}
}

/** A wait saw a terminal status other than the one it waited for (e.g. `F` while waiting for `C`). */
export class RunStatusError extends WitriumError {
	constructor(
		message: string,
		readonly expected: string,
		readonly run: RunResults,
	) {
		super(message);
	}
}

/** The caller's AbortSignal stopped a wait. */
export class WaitAbortedError extends WitriumError {
	constructor(
		message: string,
		readonly runId: string,
		readonly lastRun: RunResults | undefined,
	) {
		super(message);
	}
}
