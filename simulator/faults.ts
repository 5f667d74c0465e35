/**
 * Injected faults: which one (if any) applies to an incoming request. Faults are checked in the
 * order they were injected; a counted fault is used up, a probabilistic one stays until cleared.
 */
import { STATUS_CODES } from 'node:http';

import type { Reply } from './reply';
import type { EndpointKey, Fault } from './types';

export const ENDPOINT_KEYS: readonly EndpointKey[] = [
	'runWorkflow',
	'getResults',
	'cancelRun',
	'runTalent',
	'createSession',
	'listSessions',
	'getSession',
	'closeSession',
	'deleteSession',
];

const FAULT_KINDS: ReadonlyArray<Fault['kind']> = ['status', 'reset', 'delay', 'malformed', 'redirect'];

interface ArmedFault {
	fault: Fault;
	remaining: number;
}

export class FaultBook {
	private armed: ArmedFault[] = [];

	constructor(private readonly random: () => number = Math.random) {}

	inject(fault: Fault): void {
		assertFault(fault);
		this.armed.push({ fault: { ...fault }, remaining: fault.times ?? 1 });
	}

	clear(): void {
		this.armed = [];
	}

	/** The fault to apply to this call, consuming one use of a counted fault. */
	take(endpoint: EndpointKey): Fault | undefined {
		for (const entry of this.armed) {
			if (entry.fault.endpoint !== '*' && entry.fault.endpoint !== endpoint) continue;
			if (entry.fault.probability !== undefined) {
				if (this.random() < entry.fault.probability) return entry.fault;
				continue;
			}
			entry.remaining -= 1;
			if (entry.remaining <= 0) this.armed = this.armed.filter((other) => other !== entry);
			return entry.fault;
		}
		return undefined;
	}
}

/** The status, headers and body a 'status' fault answers with. */
export function faultReply(fault: Fault): Reply {
	const status = fault.status ?? 503;
	const headers: Record<string, string> = {};
	if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
	if (fault.body !== undefined) {
		headers['content-type'] = 'text/html; charset=utf-8';
		return { status, headers, text: fault.body };
	}
	headers['content-type'] = 'application/json';
	const detail = fault.detail ?? STATUS_CODES[status] ?? 'Error';
	return { status, headers, text: JSON.stringify({ detail }) };
}

/** Rejects a fault that could never apply as meant (it may arrive as JSON from the control surface). */
export function assertFault(value: unknown): asserts value is Fault {
	if (typeof value !== 'object' || value === null) throw new TypeError('A fault must be an object');
	const fault = value as Partial<Fault>;
	if (fault.endpoint !== '*' && !ENDPOINT_KEYS.includes(fault.endpoint as EndpointKey)) {
		throw new TypeError(`Unknown fault endpoint ${JSON.stringify(fault.endpoint)}`);
	}
	if (!FAULT_KINDS.includes(fault.kind as Fault['kind'])) {
		throw new TypeError(`Unknown fault kind ${JSON.stringify(fault.kind)}`);
	}
	if (fault.kind === 'redirect' && typeof fault.location !== 'string') {
		throw new TypeError('A redirect fault needs a location');
	}
	if (fault.kind === 'delay' && !(typeof fault.delayMs === 'number' && fault.delayMs >= 0)) {
		throw new TypeError('A delay fault needs delayMs >= 0');
	}
	if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
		throw new TypeError('times must be a positive integer');
	}
	if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
		throw new TypeError('probability must be between 0 and 1');
	}
	if (fault.when !== undefined && fault.when !== 'beforeRead' && fault.when !== 'afterHandle') {
		throw new TypeError(`Unknown reset timing ${JSON.stringify(fault.when)}`);
	}
}
