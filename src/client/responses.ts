/** Reading what came back: a 2xx body as JSON, any other answer or a network error as an AttemptFailure. */
import { AttemptError, statusText } from './failure';
import { parseRetryAfter } from './retry';
import { STATUS_TEXTS } from './statusTexts';

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

export function errorCodes(err: unknown): string[] {
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

/** Connection refused, DNS failure or connect timeout: the request was provably never sent. */
const NOT_DELIVERED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export function describeNetworkError(err: unknown): { text: string; delivered: boolean } {
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

/**
 * A complete answer: the parsed JSON of a 2xx, or an AttemptError thrown for anything else.
 * `baseUrl` resolves a redirect's location; `scrub` removes the API token from quoted bodies.
 */
export function interpretResponse(
	status: number,
	headers: Record<string, string | string[] | undefined>,
	text: string,
	baseUrl: string,
	scrub: (text: string | undefined) => string | undefined,
): unknown {
	if (status >= 200 && status < 300) {
		if (text.trim() === '') return null;
		try {
			return JSON.parse(text);
		} catch {
			throw new AttemptError({
				kind: 'invalid-response',
				status,
				summary: `${statusText(status)} with a body that is not JSON`,
				detail: scrub(excerpt(text)),
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
				host = new URL(location, baseUrl).host;
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
	/** The service's own error answer, `{"detail": ...}`; anything else came from something in front of it. */
	let fromService = false;
	try {
		const parsed = JSON.parse(text) as unknown;
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'detail' in parsed) {
			fromService = true;
			detail = formatDetail((parsed as { detail: unknown }).detail);
		} else {
			detail = excerpt(typeof parsed === 'string' ? parsed : text);
		}
	} catch {
		detail = excerpt(text);
	}
	detail = scrub(detail);
	throw new AttemptError({
		kind: 'http',
		status,
		detail,
		summary: detail && detail !== STATUS_TEXTS[status] ? `${statusText(status)}: ${detail}` : statusText(status),
		delivered: true,
		// A 404 page from a proxy or load balancer (during a deploy, say) says nothing about the id: retried.
		transient: status === 408 || status === 429 || (status >= 500 && status !== 501) || (status === 404 && !fromService),
		retryAfterMs: parseRetryAfter(headers['retry-after']),
	});
}
