/** Helpers of the trigger suites: workflow JSON around the trigger, the simulator, error capture. */
import { randomUUID } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { WitriumSimulator, type WorkflowDefinition } from '../../simulator/index';
import { createPollHarness, type PollHarness, type PollHarnessOptions, type WorkflowData } from '../harness';

/** Distinctive, so any leak is easy to spot (also checked URL-encoded). */
export const TOKEN = 'wit_trigger_S3cr3t+Token/Value-4c3b2a';
export const TRIGGER = 'Witrium Trigger';

export async function startSimulator(): Promise<{ sim: WitriumSimulator; baseUrl: string }> {
	const sim = new WitriumSimulator({ token: TOKEN });
	const baseUrl = await sim.start();
	return { sim, baseUrl };
}

/** The suite's simulator: started before its tests, stopped after them. */
export function useSimulator(): WitriumSimulator {
	const sim = new WitriumSimulator({ token: TOKEN });
	beforeAll(async () => {
		await sim.start();
	});
	afterAll(async () => {
		await sim.stop();
	});
	return sim;
}

/** A workflow whose only node is the trigger, with these parameters. */
export function triggerWorkflow(parameters: IDataObject): WorkflowData {
	return {
		id: `triggerTest${randomUUID().slice(0, 8)}`,
		name: 'Witrium Trigger test',
		nodes: [
			{
				id: 'trigger-node-1',
				name: TRIGGER,
				type: 'n8n-nodes-witrium.witriumTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: parameters as INodeParameters,
			},
		],
		connections: {},
	};
}

/** A simulator workflow of `steps` steps of `stepMs` each, under a fresh id. */
export function simWorkflow(overrides: Partial<WorkflowDefinition> & { stepMs?: number; stepCount?: number } = {}): WorkflowDefinition {
	const { stepMs = 100, stepCount = 1, ...rest } = overrides;
	return {
		id: randomUUID(),
		name: 'Watch a page',
		startDelayMs: 50,
		steps: Array.from({ length: stepCount }, (_, i) => ({ instruction: `Step ${i + 1}`, durationMs: stepMs })),
		result: null,
		...rest,
	};
}

export interface Trigger extends PollHarness {
	/** A `trigger` poll, timed; the activation poll first when the workflow is not active yet, as in n8n. */
	tick(): Promise<{ output: INodeExecutionData[][] | null; ms: number }>;
	/** JSON of the first output of a poll, or null. */
	json(output: INodeExecutionData[][] | null): IDataObject[] | null;
}

export function makeTrigger(
	baseUrl: string,
	parameters: IDataObject,
	/** `workflowId`: the n8n workflow's id, for a second trigger standing for the same one (another main). */
	options: Omit<PollHarnessOptions, 'credentials'> & { stored?: IDataObject; workflowId?: string } = {},
	apiToken = TOKEN,
): Trigger {
	const { stored, workflowId, ...harnessOptions } = options;
	const workflow = {
		...triggerWorkflow(parameters),
		...(workflowId ? { id: workflowId } : {}),
		...(stored ? { staticData: { [`node:${TRIGGER}`]: stored } } : {}),
	};
	const harness = createPollHarness(workflow, TRIGGER, {
		credentials: { witriumApi: { apiToken, baseUrl } },
		...harnessOptions,
	});
	let active = false;
	const { activate: activatePoll, restart } = harness;
	const activate = async () => {
		const emitted = await activatePoll();
		active = true;
		return emitted;
	};
	return Object.assign(harness, {
		activate,
		restart() {
			restart();
			active = false;
		},
		async tick() {
			if (!active) await activate();
			const started = Date.now();
			const output = await harness.poll('trigger');
			return { output, ms: Date.now() - started };
		},
		json(output: INodeExecutionData[][] | null) {
			return output === null ? null : (output[0] ?? []).map((item) => item.json);
		},
	});
}

/** Every error the suite saw; `assertNoTokenLeak` checks them all. */
export const seenErrors: unknown[] = [];

/** Awaits a promise expected to reject and returns (and records) its error. */
export async function failure<T = Error & { description?: string; context?: IDataObject }>(promise: Promise<unknown>): Promise<T> {
	try {
		await promise;
	} catch (error) {
		seenErrors.push(error);
		return error as T;
	}
	throw new Error('expected the poll to fail, but it succeeded');
}

function errorText(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const props: Record<string, unknown> = {};
	for (const key of Object.getOwnPropertyNames(error)) props[key] = (error as unknown as Record<string, unknown>)[key];
	let json: string;
	try {
		json = JSON.stringify(props, (key, value: unknown) => (key === 'node' ? undefined : value));
	} catch {
		json = '';
	}
	return [error.message, error.stack, (error as { description?: string }).description, json].join('\n');
}

export function assertNoTokenLeak(): void {
	expect(seenErrors.length).toBeGreaterThan(0);
	for (const error of seenErrors) {
		const text = errorText(error);
		expect(text).not.toContain(TOKEN);
		expect(text).not.toContain(encodeURIComponent(TOKEN));
	}
}

/**
 * The most runs of one simulator workflow going at the same time (from submission to end), so
 * a run started while another of the same workflow was still going counts 2.
 */
export function mostRunsAtOnce(sim: WitriumSimulator, definitionId: string): number {
	const now = Date.now();
	const spans = sim
		.runs()
		.filter((run) => run.definitionId === definitionId)
		// A run ended in the millisecond it was submitted still counts while it lasted.
		.map((run) => [run.submittedAt, Math.max(run.completedAt ?? now, run.submittedAt + 1)] as const);
	return Math.max(0, ...spans.map(([start]) => spans.filter(([from, to]) => from <= start && start < to).length));
}

/** A simulator workflow whose run lasts until the test ends it (`sim.endRun`), under a fresh id. */
export function heldWorkflow(overrides: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
	return simWorkflow({ stepCount: 1, stepMs: 3_600_000, ...overrides });
}

/** Run ids of a simulator workflow, in the order they were submitted. */
export function runIds(sim: WitriumSimulator, definitionId: string): string[] {
	return sim
		.runs()
		.filter((run) => run.definitionId === definitionId)
		.sort((a, b) => a.submittedAt - b.submittedAt)
		.map((run) => run.runId);
}

/** The trigger's state without its revision (`rev`, `lineage`): what it remembers. */
export function contentOf(state: IDataObject): IDataObject {
	const { rev: _rev, lineage: _lineage, ...content } = state;
	return content;
}
