/**
 * The `/__simulator/` control surface: the same levers as the WitriumSimulator methods, over HTTP,
 * for harnesses that run the simulator in another process (a real n8n, benchmarks). No token:
 * it is a local test tool, and `/__simulator/` cannot clash with the service's `/v1` paths.
 */
import { detailReply, jsonReply, type Reply } from './reply';
import type { Definitions, Fault, RequestLogEntry, SavedState, SimRun, SimSession, TimestampStyle } from './types';

export const CONTROL_PREFIX = '/__simulator/';

/** What the control surface drives (WitriumSimulator implements it). */
export interface ControlTarget {
	define(defs: Definitions): void;
	injectFault(fault: Fault): void;
	clearFaults(): void;
	setTimestampStyle(style: TimestampStyle): void;
	reset(): void;
	readonly requests: RequestLogEntry[];
	runs(): SimRun[];
	sessions(): SimSession[];
	states(): SavedState[];
	runCounts(): Record<string, number>;
	maxConcurrentRuns(filter?: { sessionId?: string }): number;
}

const OK = { ok: true };

export function handleControlRequest(target: ControlTarget, method: string, path: string, rawBody: string): Reply {
	const action = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
	try {
		switch (action) {
			case 'POST definitions':
				target.define(assertDefinitions(parseJson(rawBody)));
				return jsonReply(200, OK);
			case 'POST faults':
				target.injectFault(parseJson(rawBody) as Fault);
				return jsonReply(200, OK);
			case 'POST timestamps':
				target.setTimestampStyle((parseJson(rawBody) as { style?: TimestampStyle } | null)?.style as TimestampStyle);
				return jsonReply(200, OK);
			case 'DELETE faults':
				target.clearFaults();
				return jsonReply(200, OK);
			case 'GET requests':
				return jsonReply(200, target.requests);
			case 'GET runs':
				return jsonReply(200, target.runs());
			case 'GET sessions':
				return jsonReply(200, target.sessions());
			case 'GET states':
				return jsonReply(200, target.states());
			case 'GET stats':
				return jsonReply(200, { runCounts: target.runCounts(), maxConcurrentRuns: target.maxConcurrentRuns() });
			case 'POST reset':
				target.reset();
				return jsonReply(200, OK);
			default:
				return detailReply(404, 'Not Found');
		}
	} catch (error) {
		// Bad input to a control call is the harness's mistake: say what was wrong.
		return detailReply(400, error instanceof Error ? error.message : String(error));
	}
}

function parseJson(rawBody: string): unknown {
	try {
		return JSON.parse(rawBody);
	} catch {
		throw new TypeError('Body must be JSON');
	}
}

function assertDefinitions(value: unknown): Definitions {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new TypeError('Definitions must be an object {workflows?, talents?}');
	}
	const defs = value as Definitions;
	for (const [key, list] of Object.entries({ workflows: defs.workflows, talents: defs.talents })) {
		if (list === undefined) continue;
		if (!Array.isArray(list) || list.some((item) => typeof item?.id !== 'string')) {
			throw new TypeError(`${key} must be an array of definitions with a string id`);
		}
	}
	if (defs.workflows?.some((workflow) => !Array.isArray(workflow.steps))) {
		throw new TypeError('Every workflow needs a steps array');
	}
	return defs;
}
