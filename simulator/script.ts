/** What a workflow definition makes a run do: where it starts, which step fails, what it returns. */
import type { RunRecord } from './records';

export type WorkflowRun = RunRecord & { kind: 'workflow' };

export interface PlannedFailure {
	/** 0-based index of the step that ends F. */
	index: number;
	message: string;
}

/** skip_goto_url_instruction skips the first step when it is a "go to" step. */
export function firstStepIndex(run: WorkflowRun): number {
	const first = run.definition.steps[0];
	return run.skipGotoUrlInstruction && first && /^go to\b/i.test(first.instruction) ? 1 : 0;
}

/** Which step (0-based) fails and why, if any: a missing required state fails the first step run. */
export function plannedFailure(run: WorkflowRun, firstIndex: number): PlannedFailure | null {
	const { requiresState, failAtStep, errorMessage } = run.definition;
	if (requiresState !== undefined && !run.restoredStates.includes(requiresState)) {
		return { index: firstIndex, message: `Not logged in: state '${requiresState}' was not restored` };
	}
	if (failAtStep !== undefined) return { index: failAtStep - 1, message: errorMessage ?? `Step ${failAtStep} failed` };
	return null;
}

/** The final result: the definition's, with `{{args.NAME}}` filled in and the args echoed if asked. */
export function finalResult(run: RunRecord): unknown {
	const result = fillArgs(structuredClone(run.definition.result ?? null), run.args);
	if (!run.definition.echoArgs) return result;
	const base = typeof result === 'object' && result !== null && !Array.isArray(result) ? result : {};
	return { ...base, args: { ...run.args } };
}

const ARG_PLACEHOLDER = /^\{\{args\.([^}]+)\}\}$/;

function fillArgs(value: unknown, args: Record<string, string | number>): unknown {
	if (typeof value === 'string') {
		const match = ARG_PLACEHOLDER.exec(value);
		return match ? (Object.hasOwn(args, match[1]) ? args[match[1]] : null) : value;
	}
	if (Array.isArray(value)) return value.map((item) => fillArgs(item, args));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillArgs(item, args)]));
	}
	return value;
}
