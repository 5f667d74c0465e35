/**
 * The /v1 endpoints: authentication, body validation, then the engine. Order of checks, as in
 * a FastAPI app with an API-key check in front: route (404/405), key (401), body (422), then
 * the endpoint's own rules (404 unknown id, 400, 409).
 */
import type { SimEngine } from './engine';
import { ApiError } from './errors';
import { detailReply, jsonReply, type Reply } from './reply';
import type { EndpointKey } from './types';
import {
	CLOSE_SESSION_SCHEMA,
	CREATE_SESSION_SCHEMA,
	RUN_TALENT_SCHEMA,
	RUN_WORKFLOW_SCHEMA,
	parseQueryBoolean,
	validateBody,
	type BodySchema,
	type CloseSessionBody,
	type CreateSessionBody,
	type RunTalentBody,
	type RunWorkflowBody,
} from './validation';
import { runRecord, runResults, runSubmitted, sessionList, sessionRecord, talentResult } from './wire';

export interface ApiRequest {
	endpoint: EndpointKey;
	/** The percent-decoded id from the path ('' for endpoints without one). */
	id: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	rawBody: string;
}

export const AUTH_HEADER = 'x-witrium-key';

const USE_STATES_IGNORED_NOTE = 'use_states ignored: browser_session_id is set';

export async function handleApiRequest(engine: SimEngine, token: string, request: ApiRequest): Promise<Reply> {
	if (request.headers[AUTH_HEADER] !== token) return detailReply(401, 'Invalid or missing API key');
	try {
		return await dispatch(engine, request);
	} catch (error) {
		if (error instanceof ApiError) return detailReply(error.status, error.detail);
		throw error;
	}
}

async function dispatch(engine: SimEngine, request: ApiRequest): Promise<Reply> {
	const { id } = request;
	switch (request.endpoint) {
		case 'runWorkflow':
			return withBody<RunWorkflowBody>(RUN_WORKFLOW_SCHEMA, request, (body, notes) => {
				const run = engine.submitWorkflowRun(id, body);
				if (run.useStatesIgnored) notes.push(USE_STATES_IGNORED_NOTE);
				return jsonReply(200, runSubmitted(run));
			});
		case 'getResults':
			return jsonReply(200, runResults(engine.getRun(id)));
		case 'cancelRun':
			// The endpoint takes no body; like FastAPI, any body sent is simply not read.
			return jsonReply(200, runRecord(engine.cancelRun(id)));
		case 'runTalent':
			return withBody<RunTalentBody>(RUN_TALENT_SCHEMA, request, async (body, notes) => {
				if (body.browser_session_id !== undefined && body.use_states !== undefined) {
					notes.push(USE_STATES_IGNORED_NOTE);
				}
				return jsonReply(200, talentResult(await engine.runTalent(id, body)));
			});
		case 'createSession':
			return withBody<CreateSessionBody>(CREATE_SESSION_SCHEMA, request, (body) =>
				jsonReply(200, sessionRecord(engine.createSession(body))),
			);
		case 'listSessions':
			return jsonReply(200, sessionList(engine.activeSessions()));
		case 'getSession':
			return jsonReply(200, sessionRecord(engine.getSession(id)));
		case 'closeSession':
			return withBody<CloseSessionBody>(CLOSE_SESSION_SCHEMA, request, (body) => jsonReply(200, engine.closeSession(id, body)));
		case 'deleteSession': {
			// The legacy close: force comes in the query string, and there is no body.
			const force = parseQueryBoolean(request.query.force, 'force');
			if (!force.ok) return { ...detailReply(422, force.issues), invalid: force.invalid };
			return jsonReply(200, engine.closeSession(id, { force: force.value }));
		}
	}
}

/** Validates the body, then runs the handler; the handler may add notes for the request log. */
async function withBody<T>(
	schema: BodySchema,
	request: ApiRequest,
	handle: (body: T, notes: string[]) => Reply | Promise<Reply>,
): Promise<Reply> {
	const validated = validateBody<T>(schema, request.rawBody, request.headers['content-type']);
	if (!validated.ok) return { ...detailReply(422, validated.issues), invalid: validated.invalid };
	const notes = [...validated.notes];
	try {
		const reply = await handle(validated.value, notes);
		return notes.length > 0 ? { ...reply, notes } : reply;
	} catch (error) {
		if (error instanceof ApiError && notes.length > 0) {
			return { ...detailReply(error.status, error.detail), notes };
		}
		throw error;
	}
}
