/**
 * Response bodies exactly as witrium-api.md lists them: snake_case, every key present, null
 * where a value is unknown, timestamps in ISO 8601.
 */
import type { RunRecord, SessionRecord } from './records';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** POST /v1/workflows/{id}/run */
export function runSubmitted(run: RunRecord) {
	return { workflow_id: run.definition.id, run_id: run.runId, status: run.status };
}

/** GET /v1/runs/{id}/results (a talent run answers too, with its talent id as workflow_id). */
export function runResults(run: RunRecord) {
	return {
		workflow_id: run.definition.id,
		run_id: run.runId,
		status: run.status,
		started_at: iso(run.startedAt),
		completed_at: iso(run.completedAt),
		message: run.message,
		executions: run.executions.map((execution) => ({
			status: execution.status,
			instruction_order: execution.order,
			instruction: execution.instruction,
			result: execution.result,
			result_format: execution.resultFormat,
			error_message: execution.errorMessage,
		})),
		result: run.result,
		result_format: run.resultFormat,
		error_message: run.errorMessage,
	};
}

/** POST /v1/runs/{id}/cancel: the run record. */
export function runRecord(run: RunRecord) {
	return {
		uuid: run.runId,
		session_id: run.session?.id ?? null,
		workflow: {
			uuid: run.definition.id,
			name: run.definition.name ?? null,
			description: run.definition.description ?? null,
		},
		run_type: run.kind,
		triggered_by: 'api',
		status: run.status,
		session_active: run.session?.status === 'active',
		started_at: iso(run.startedAt),
		completed_at: iso(run.completedAt),
		error_message: run.errorMessage,
		executions: run.executions.map((execution) => ({
			instruction_id: execution.instructionId,
			instruction: execution.instruction,
			result: execution.result,
			result_format: execution.resultFormat,
			message: null,
			status: execution.status,
			error_message: execution.errorMessage,
		})),
	};
}

/** POST /v1/talents/{id}/run */
export function talentResult(run: RunRecord) {
	return {
		status: run.status,
		started_at: iso(run.startedAt),
		completed_at: iso(run.completedAt),
		message: run.message,
		result: run.result,
		result_format: run.resultFormat,
		error_message: run.errorMessage,
	};
}

/** A browser session record (create, get, list). */
export function sessionRecord(session: SessionRecord) {
	return {
		uuid: session.id,
		provider: session.provider,
		status: session.status,
		is_busy: session.currentRun !== null,
		user_managed: true,
		current_run_type: session.currentRun?.kind ?? null,
		current_run_id: session.currentRun?.runId ?? null,
		created_at: iso(session.createdAt),
		// The browser is up as soon as the session exists.
		started_at: iso(session.createdAt),
		last_activity_at: iso(session.lastActivityAt),
		proxy_country: session.proxyCountry,
		proxy_city: session.proxyCity,
	};
}

export function sessionList(sessions: SessionRecord[]) {
	return { sessions: sessions.map(sessionRecord), total_count: sessions.length };
}
