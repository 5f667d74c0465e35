import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { WitriumApiError, WitriumError, isTerminalStatus, statusName } from '../client';
import type { RunResults } from '../client';

const NEXT_STEP: Record<string, string> = {
	'401': 'Check the API token in the Witrium API credential.',
	'403': 'The API token is not allowed to do this: check it belongs to the right Witrium account.',
	'409': 'The browser session is busy: wait for its run to end, or close it with Force.',
	'422': 'Witrium rejected the request: check the arguments and options named above.',
	'429': 'Witrium is rate limiting: lower Max Concurrency or run less often.',
};

const CHECK_BASE_URL = 'check the Base URL in the Witrium API credential (https://api.witrium.com unless told otherwise)';

/** What a 404 asks the user to fix: the id only when Witrium itself said it does not know it. */
function notFoundStep(error: WitriumApiError): string {
	if (!error.notFound) {
		return `Something other than the Witrium API answered (a proxy or another web server): ${CHECK_BASE_URL}. If it is right, Witrium may be restarting: try again in a minute.`;
	}
	// FastAPI's answer for a path it has no route for: a Base URL with an extra path, most likely.
	if (error.detail === 'Not Found') return `Witrium knows no such path: ${CHECK_BASE_URL}, then the id.`;
	return 'Check the id: it must exist in the Witrium account of the credential.';
}

function describeApiError(error: WitriumApiError): string {
	if (error.kind === 'blocked') {
		// n8n's own explanation of its SSRF protection, and what the administrator can allow.
		const description = (error.cause as { description?: unknown } | undefined)?.description;
		return `${typeof description === 'string' ? description : "n8n's egress rules (SSRF protection) refused this address."} Endpoint: ${error.endpoint}`;
	}
	const parts: string[] = [];
	if (error.detail) parts.push(`Witrium said: ${error.detail}${/[.!?]$/.test(error.detail) ? '' : '.'}`);
	if (error.mayHaveStarted)
		parts.push('The request reached Witrium, so the run or session may have started: check before running this item again.');
	const nextStep = error.status === 404 ? notFoundStep(error) : NEXT_STEP[String(error.status)];
	if (nextStep) parts.push(nextStep);
	else if (error.retryable) parts.push('This is likely temporary: try again later.');
	parts.push(`Endpoint: ${error.endpoint}`);
	return parts.join(' ');
}

/** Turns anything thrown while handling an item into an n8n error that names the item. */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof WitriumApiError) {
		// Only these fields go in: the raw response (headers, request) would carry the token.
		const response: JsonObject = { message: error.message, detail: error.detail ?? null, endpoint: error.endpoint };
		return new NodeApiError(node, response, {
			message: error.message,
			description: describeApiError(error),
			httpCode: error.status !== undefined ? String(error.status) : undefined,
			itemIndex,
		});
	}
	if (error instanceof WitriumError) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	return new NodeOperationError(node, error instanceof Error ? error.message : String(error), { itemIndex });
}

/**
 * `Run R of workflow W failed at step 2 "Click": why`: the message of a run that ended without
 * completing, for the node and the trigger alike; a status code the package does not know is named as such.
 */
export function runEndedMessage(run: RunResults, reader: 'node' | 'trigger', where: string, why: string | null | undefined): string {
	const ended = isTerminalStatus(run.status)
		? statusName(run.status)
		: `ended with status "${run.status}", a code this ${reader} does not know`;
	return `Run ${run.runId} of workflow ${run.workflowId} ${ended}${where}${why ? `: ${why}` : ''}`;
}
