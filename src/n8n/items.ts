import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { statusName } from '../client';
import type { BrowserSession, CancelledRun, RunResults, TalentResult } from '../client';

/** Output items: camelCase at the top level; the service's `result` data passed through untouched. */

export function runItem(run: RunResults, browserSessionId: string | null, includeSteps = false): IDataObject {
	return {
		runId: run.runId,
		workflowId: run.workflowId,
		status: run.status,
		statusName: statusName(run.status),
		browserSessionId,
		startedAt: run.startedAt,
		completedAt: run.completedAt,
		message: run.message,
		result: run.result as IDataObject,
		resultFormat: run.resultFormat,
		errorMessage: run.errorMessage,
		...(includeSteps ? { executions: run.executions as unknown as IDataObject[] } : {}),
	};
}

export function submittedRunItem(run: { runId: string; workflowId: string; status: string }, browserSessionId: string | null): IDataObject {
	return { runId: run.runId, workflowId: run.workflowId, status: run.status, statusName: statusName(run.status), browserSessionId };
}

export function stepItems(run: RunResults): IDataObject[] {
	return run.executions.map((step) => ({
		runId: run.runId,
		workflowId: run.workflowId,
		instructionOrder: step.instructionOrder,
		instruction: step.instruction,
		status: step.status,
		statusName: statusName(step.status),
		result: step.result as IDataObject,
		resultFormat: step.resultFormat,
		errorMessage: step.errorMessage,
	}));
}

/**
 * `resultItems`: an array result becomes one item per element (an element that is not an object
 * is wrapped as `{ value }`, as n8n items must be objects); an object result stays one item.
 * Without a result (the run has not completed) the run item is output instead.
 */
export function resultItems(result: unknown): IDataObject[] | undefined {
	if (Array.isArray(result)) return result.map(asItemJson);
	if (result !== null && result !== undefined) return [asItemJson(result)];
	return undefined;
}

function asItemJson(value: unknown): IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: { value: value as IDataObject[keyof IDataObject] };
}

export function talentItem(talentId: string, talent: TalentResult, browserSessionId: string | null): IDataObject {
	return {
		talentId,
		status: talent.status,
		browserSessionId,
		startedAt: talent.startedAt,
		completedAt: talent.completedAt,
		message: talent.message,
		result: talent.result as IDataObject,
		resultFormat: talent.resultFormat,
		errorMessage: talent.errorMessage,
	};
}

export function sessionItem(session: BrowserSession): IDataObject {
	return {
		browserSessionId: session.uuid,
		provider: session.provider,
		status: session.status,
		isBusy: session.isBusy,
		userManaged: session.userManaged,
		currentRunType: session.currentRunType,
		currentRunId: session.currentRunId,
		createdAt: session.createdAt,
		startedAt: session.startedAt,
		lastActivityAt: session.lastActivityAt,
		proxyCountry: session.proxyCountry,
		proxyCity: session.proxyCity,
	};
}

export function closeItem(browserSessionId: string, closed: { status: string; message: string }): IDataObject {
	return { browserSessionId, closed: true, status: closed.status, message: closed.message };
}

export function cancelItem(run: CancelledRun): IDataObject {
	return {
		runId: run.uuid,
		workflowId: run.workflow?.uuid ?? null,
		workflowName: run.workflow?.name ?? null,
		status: run.status,
		statusName: statusName(run.status),
		browserSessionId: run.sessionId,
		sessionActive: run.sessionActive,
		runType: run.runType,
		triggeredBy: run.triggeredBy,
		startedAt: run.startedAt,
		completedAt: run.completedAt,
		errorMessage: run.errorMessage,
	};
}

export const toItems = (objects: IDataObject[]): INodeExecutionData[] => objects.map((json) => ({ json }));
