/**
 * Wire ⇄ client shapes. Requests: camelCase → snake_case, unset (undefined) fields left out.
 * Responses: snake_case → camelCase at the top level (and for the items of `executions`,
 * `sessions` and `workflow`); `result` values are the service's data and pass through untouched.
 */
import type {
	BrowserSession,
	CancelledRun,
	CloseSessionResult,
	ExecutionStep,
	RunResults,
	RunSubmitted,
	SessionList,
	TalentResult,
} from './types';

type Json = Record<string, unknown>;

/** A 2xx answer without a field the spec requires; the client turns it into an invalid-response error. */
export class MissingField extends Error {}

/** A non-empty string the answer must hold: never the string "undefined" sent on to the next call. */
function required(value: unknown, missing: string): string {
	if (typeof value !== 'string' || value.trim() === '') throw new MissingField(missing);
	return value;
}

export function snakeCase(key: string): string {
	return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function camelCase(key: string): string {
	return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Top-level keys to snake_case; undefined values dropped (never sent as null). Values untouched. */
export function toWire(request: object | undefined): Json {
	const out: Json = {};
	if (!request) return out;
	for (const [key, value] of Object.entries(request)) {
		if (value !== undefined) out[snakeCase(key)] = value;
	}
	return out;
}

/** Top-level keys to camelCase; values untouched. */
export function rekey(source: Json): Json {
	const out: Json = {};
	for (const [key, value] of Object.entries(source)) out[camelCase(key)] = value;
	return out;
}

export function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
	return typeof value === 'string' ? value : value === undefined || value === null ? null : String(value);
}

/** Copies `source` re-keyed, then sets each named field to its value or null when missing. */
function withDefaults(source: Json, fields: string[]): Json {
	const out = rekey(source);
	for (const field of fields) if (out[field] === undefined) out[field] = null;
	return out;
}

export function mapRunSubmitted(body: Json, workflowId: string): RunSubmitted {
	const out = rekey(body);
	return {
		...out,
		workflowId: str(out.workflowId) ?? workflowId,
		runId: required(out.runId, 'no run_id in the answer'),
		status: str(out.status) ?? '',
	};
}

export function mapStep(step: unknown): ExecutionStep {
	const source = isObject(step) ? step : {};
	const out = withDefaults(source, ['status', 'instructionOrder', 'instruction', 'result', 'resultFormat', 'errorMessage']);
	return out as unknown as ExecutionStep;
}

export function mapRunResults(body: Json, runId: string): RunResults {
	const out = withDefaults(body, ['workflowId', 'startedAt', 'completedAt', 'message', 'result', 'resultFormat', 'errorMessage']);
	out.runId = str(out.runId) ?? runId;
	out.status = required(out.status, 'no run status in the answer');
	out.executions = Array.isArray(body.executions) ? body.executions.map(mapStep) : [];
	return out as unknown as RunResults;
}

export function mapCancelledRun(body: Json, runId: string): CancelledRun {
	const out = withDefaults(body, ['sessionId', 'runType', 'triggeredBy', 'sessionActive', 'startedAt', 'completedAt', 'errorMessage']);
	out.uuid = str(out.uuid) ?? runId;
	out.status = str(out.status) ?? '';
	out.workflow = isObject(body.workflow) ? withDefaults(body.workflow, ['uuid', 'name', 'description']) : null;
	out.executions = Array.isArray(body.executions)
		? body.executions.map((e) =>
				withDefaults(isObject(e) ? e : {}, ['instructionId', 'instruction', 'result', 'resultFormat', 'message', 'status', 'errorMessage']),
			)
		: [];
	return out as unknown as CancelledRun;
}

export function mapTalentResult(body: Json): TalentResult {
	const out = withDefaults(body, ['startedAt', 'completedAt', 'message', 'result', 'resultFormat', 'errorMessage']);
	out.status = str(out.status) ?? '';
	return out as unknown as TalentResult;
}

export function mapSession(body: Json, missingUuid = 'no session uuid in the answer'): BrowserSession {
	const out = withDefaults(body, [
		'provider',
		'userManaged',
		'currentRunType',
		'currentRunId',
		'createdAt',
		'startedAt',
		'lastActivityAt',
		'proxyCountry',
		'proxyCity',
	]);
	out.uuid = required(out.uuid, missingUuid);
	out.status = str(out.status) ?? '';
	out.isBusy = out.isBusy === true;
	return out as unknown as BrowserSession;
}

export function mapSessionList(body: Json): SessionList {
	const out = rekey(body);
	const listed = Array.isArray(body.sessions) ? body.sessions : [];
	const sessions = listed.map((session, index) =>
		mapSession(isObject(session) ? session : {}, `session ${index + 1} of the list has no uuid`),
	);
	const total = typeof out.totalCount === 'number' ? out.totalCount : sessions.length;
	return { ...out, sessions, totalCount: total };
}

export function mapCloseResult(body: Json): CloseSessionResult {
	const out = rekey(body);
	return { ...out, status: str(out.status) ?? '', message: str(out.message) ?? '' };
}
