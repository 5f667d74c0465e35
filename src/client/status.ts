/** Run and step status codes: their names, which ones end a run, and how a status reads in a message. */
import type { RunResults, RunStatus } from './types';

export const RUN_STATUS_NAMES: Record<RunStatus, string> = {
	P: 'pending',
	R: 'running',
	C: 'completed',
	F: 'failed',
	X: 'cancelled',
};

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['C', 'F', 'X']);

function knownName(status: string): string | undefined {
	return (RUN_STATUS_NAMES as Record<string, string | undefined>)[status];
}

/** `completed` for `C`: the `statusName` of output items; `unknown` for a code the service adds later (`status` keeps it). */
export function statusName(status: string): string {
	return knownName(status) ?? 'unknown';
}

/** One of P R C F X. */
export function isKnownStatus(status: string): boolean {
	return knownName(status) !== undefined;
}

/** `completed (C)`; an unknown code as given, marked as unknown. */
export function describeStatus(status: string): string {
	const name = knownName(status);
	return name ? `${name} (${status})` : `"${status}" (unknown status code)`;
}

export function isTerminalStatus(status: string): boolean {
	return TERMINAL_STATUSES.has(status);
}

/**
 * Whether a run is over: a terminal code, or `completed_at` set whatever the code, so a code
 * the service adds later (outside P R C F X) ends a wait instead of hanging it.
 */
export function isRunOver(run: Pick<RunResults, 'status' | 'completedAt'>): boolean {
	return isTerminalStatus(run.status) || (typeof run.completedAt === 'string' && run.completedAt !== '');
}

/** The furthest step the run has reached, e.g. `step 2 "Click login" (running)`, or undefined. */
export function describeLastStep(run: RunResults | undefined): string | undefined {
	const steps = run?.executions ?? [];
	if (steps.length === 0) return undefined;
	const reached = steps.filter((s) => s.status !== 'P');
	const pool = reached.length > 0 ? reached : steps;
	const step = pool[pool.length - 1];
	const order = step.instructionOrder ?? steps.indexOf(step) + 1;
	const instruction = step.instruction ? ` "${step.instruction}"` : '';
	return `step ${order}${instruction} (${knownName(step.status) ?? step.status})`;
}
