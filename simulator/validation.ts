/**
 * Request validation the way a FastAPI service with pydantic models and `extra = "forbid"`
 * answers it: a 422 whose `detail` is a list of `{type, loc, msg, input}` objects. Being strict
 * here is the point: a client test passing against the simulator then means the client sends
 * what the service accepts.
 */

export type Loc = Array<string | number>;

export interface ValidationIssue {
	type: string;
	loc: Loc;
	msg: string;
	input: unknown;
}

export type Validated<T> = { ok: true; value: T; notes: string[] } | { ok: false; issues: ValidationIssue[]; invalid: string };

export interface RunWorkflowBody {
	args?: Record<string, string | number>;
	files?: Array<{ filename: string; data: string }>;
	use_states?: string[];
	preserve_state?: string;
	no_intelligence?: boolean;
	record_session?: boolean;
	browser_session_id?: string;
	skip_goto_url_instruction?: boolean;
}

export type RunTalentBody = Pick<RunWorkflowBody, 'args' | 'files' | 'use_states' | 'preserve_state' | 'browser_session_id'>;

export interface CreateSessionBody {
	provider?: string;
	use_proxy?: boolean;
	proxy_country?: string;
	proxy_city?: string;
	use_states?: string[];
	preserve_state?: string;
}

export interface CloseSessionBody {
	force?: boolean;
	preserve_state?: string;
}

type Check = (value: unknown, loc: Loc) => ValidationIssue[];

const issue = (type: string, loc: Loc, msg: string, input: unknown): ValidationIssue => ({
	type,
	loc,
	msg,
	input,
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const checkString: Check = (value, loc) =>
	typeof value === 'string' ? [] : [issue('string_type', loc, 'Input should be a valid string', value)];

// Strict: pydantic's lax mode would take "true" or 1, but the protocol says booleans, and a
// client that sends strings here has a bug worth seeing.
const checkBoolean: Check = (value, loc) =>
	typeof value === 'boolean' ? [] : [issue('bool_type', loc, 'Input should be a valid boolean', value)];

const checkStringList: Check = (value, loc) =>
	Array.isArray(value)
		? value.flatMap((item, index) => checkString(item, [...loc, index]))
		: [issue('list_type', loc, 'Input should be a valid list', value)];

/** `args: dict[str, str | float]`: pydantic reports a failed union once per member. */
const checkArgs: Check = (value, loc) => {
	if (!isObject(value)) return [issue('dict_type', loc, 'Input should be a valid dictionary', value)];
	return Object.entries(value).flatMap(([key, item]) => {
		if (typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))) return [];
		return [
			issue('string_type', [...loc, key, 'str'], 'Input should be a valid string', item),
			issue('float_type', [...loc, key, 'float'], 'Input should be a valid number', item),
		];
	});
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const checkBase64: Check = (value, loc) => {
	if (typeof value !== 'string') return checkString(value, loc);
	return BASE64.test(value) ? [] : [issue('base64_decode', loc, 'Base64 decoding error', value)];
};

const checkFiles: Check = (value, loc) => {
	if (!Array.isArray(value)) return [issue('list_type', loc, 'Input should be a valid list', value)];
	return value.flatMap((item, index) =>
		checkModel({ filename: checkString, data: checkBase64 }, ['filename', 'data'], item, [...loc, index]),
	);
};

function checkModel(fields: Record<string, Check>, required: string[], value: unknown, loc: Loc): ValidationIssue[] {
	if (!isObject(value)) {
		return [issue('model_attributes_type', loc, 'Input should be a valid dictionary or object to extract fields from', value)];
	}
	const missing = required
		.filter((name) => !Object.hasOwn(value, name))
		.map((name) => issue('missing', [...loc, name], 'Field required', value));
	const problems = Object.entries(value).flatMap(([name, fieldValue]) => {
		const check = Object.hasOwn(fields, name) ? fields[name] : undefined;
		if (!check) return [issue('extra_forbidden', [...loc, name], 'Extra inputs are not permitted', fieldValue)];
		return check(fieldValue, [...loc, name]);
	});
	return [...missing, ...problems];
}

/** A request body model: every field optional, unknown fields forbidden. */
export type BodySchema = Record<string, Check>;

export const RUN_WORKFLOW_SCHEMA: BodySchema = {
	args: checkArgs,
	files: checkFiles,
	use_states: checkStringList,
	preserve_state: checkString,
	no_intelligence: checkBoolean,
	record_session: checkBoolean,
	browser_session_id: checkString,
	skip_goto_url_instruction: checkBoolean,
};

export const RUN_TALENT_SCHEMA: BodySchema = {
	args: checkArgs,
	files: checkFiles,
	use_states: checkStringList,
	preserve_state: checkString,
	browser_session_id: checkString,
};

export const CREATE_SESSION_SCHEMA: BodySchema = {
	provider: checkString,
	use_proxy: checkBoolean,
	proxy_country: checkString,
	proxy_city: checkString,
	use_states: checkStringList,
	preserve_state: checkString,
};

export const CLOSE_SESSION_SCHEMA: BodySchema = {
	force: checkBoolean,
	preserve_state: checkString,
};

/** Top-level fields sent as null are "not set", so they are not type-checked. */
function checkTopLevel(schema: BodySchema, body: unknown): ValidationIssue[] {
	if (!isObject(body)) return checkModel(schema, [], body, ['body']);
	const setFields = Object.fromEntries(Object.entries(body).filter(([name, value]) => !(value === null && Object.hasOwn(schema, name))));
	return checkModel(schema, [], setFields, ['body']);
}

const isJsonContentType = (contentType: string | undefined): boolean => {
	const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
	return mediaType === 'application/json' || /^application\/[^/]+\+json$/.test(mediaType);
};

/** Where JSON.parse gave up, as FastAPI reports it in `loc` (its decoder's character offset). */
function jsonErrorPosition(error: unknown): number {
	const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
	return match ? Number(match[1]) : 0;
}

function summarize(issues: ValidationIssue[]): string {
	const first = `${issues[0].type} at ${issues[0].loc.join('.')}`;
	return issues.length > 1 ? `${first} (+${issues.length - 1} more)` : first;
}

const fail = <T>(issues: ValidationIssue[]): Validated<T> => ({ ok: false, issues, invalid: summarize(issues) });

/**
 * Validates a raw request body against a schema whose fields are all optional, so an empty body
 * is fine. A field sent as null is accepted as "not set" (pydantic's `Optional[...] = None`) but
 * noted: the protocol says unset fields are left out.
 */
export function validateBody<T>(schema: BodySchema, rawBody: string, contentType: string | undefined): Validated<T> {
	if (rawBody.length === 0) return { ok: true, value: {} as T, notes: [] };
	// Without a JSON content type FastAPI hands the model the raw bytes, which are not a dict.
	if (!isJsonContentType(contentType)) {
		return fail([issue('model_attributes_type', ['body'], 'Input should be a valid dictionary or object to extract fields from', rawBody)]);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(rawBody);
	} catch (error) {
		return fail([issue('json_invalid', ['body', jsonErrorPosition(error)], 'JSON decode error', {})]);
	}
	const issues = checkTopLevel(schema, parsed);
	if (issues.length > 0) return fail(issues);

	const notes: string[] = [];
	const value: Record<string, unknown> = {};
	for (const [name, fieldValue] of Object.entries(parsed as Record<string, unknown>)) {
		if (fieldValue === null) notes.push(`null_field at body.${name}`);
		else value[name] = fieldValue;
	}
	return { ok: true, value: value as T, notes };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** A boolean query parameter as pydantic parses one (absent means false). */
export function parseQueryBoolean(
	raw: string | undefined,
	name: string,
): { ok: true; value: boolean } | { ok: false; issues: ValidationIssue[]; invalid: string } {
	if (raw === undefined) return { ok: true, value: false };
	const word = raw.trim().toLowerCase();
	if (TRUE_WORDS.has(word)) return { ok: true, value: true };
	if (FALSE_WORDS.has(word)) return { ok: true, value: false };
	const issues = [issue('bool_parsing', ['query', name], 'Input should be a valid boolean, unable to interpret input', raw)];
	return { ok: false, issues, invalid: summarize(issues) };
}
