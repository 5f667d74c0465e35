/**
 * A workflow test harness: real n8n workflow JSON run through n8n-core's
 * `WorkflowExecute`, with this package's node and credential types and a few
 * real core nodes from n8n-nodes-base. Parameters, expressions, `pairedItem`,
 * continueOnFail, error outputs, retries and cancellation behave as in n8n,
 * because n8n's own engine does the work.
 *
 * Also: a poll harness that drives a polling trigger as an active workflow
 * does (PollContext + n8n-core's PollTriggerExecutor, static data kept across
 * polls), and `testCredential`, which tests a credential the way n8n's
 * CredentialsTester does (a RoutingNode running the credential's `test` request).
 */
import './env';
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Container } from '@n8n/di';
import {
	CredentialTestContext,
	ExecuteContext,
	ExecutionLifecycleHooks,
	PollContext,
	PollTriggerExecutor,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import {
	Workflow,
	NodeHelpers,
	type ExecutionStatus,
	type ICredentialTestFunction,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type IConnections,
	type IDataObject,
	type IExecuteData,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IPinData,
	type IRun,
	type IRunExecutionData,
	type ITaskData,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
	type NodeExecutionHint,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
	createRunExecutionData,
} from 'n8n-workflow';

import { HarnessCredentialsHelper, withDefaults, type HarnessCredentials } from './credentials';
import {
	REPO_ROOT,
	getCredentialType,
	nodeTypes,
	packageCredentialTypeNames,
	packageLoadFailures,
	packageNodeTypeFiles,
	packageNodeTypeNames,
	registerCredentialType,
	registerNodeType,
	CORE_NODE_TYPES,
} from './registry';

export type { HarnessCredentials } from './credentials';
export {
	registerNodeType,
	registerCredentialType,
	packageNodeTypeNames,
	packageNodeTypeFiles,
	packageCredentialTypeNames,
	packageLoadFailures,
	nodeTypes,
	CORE_NODE_TYPES,
};

// ---------------------------------------------------------------------------
// Types

export interface WorkflowData {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
	staticData?: IDataObject;
}

export type WorkflowSource = WorkflowData | string;

export interface RunOptions {
	/** Credential data by credential type, e.g. `{ witriumApi: { apiToken, baseUrl } }`. */
	credentials?: HarnessCredentials;
	/** Aborting = the user pressing "stop execution": the running execution is cancelled. */
	signal?: AbortSignal;
	/** Execution mode; default `manual` (the editor's "Execute workflow"). */
	mode?: WorkflowExecuteMode;
	/** Node to start from; default: n8n's choice (the trigger). */
	startNode?: string;
	/** Run only up to (and including) this node, like "Execute step". */
	destinationNode?: string;
	/**
	 * Items the start node receives. In `manual` mode a trigger ignores them (it fires
	 * itself); in other modes (e.g. `trigger`) they are what the trigger emitted.
	 */
	triggerItems?: INodeExecutionData[];
	/** Pinned data; default: the workflow's own `pinData`. */
	pinData?: IPinData;
	/** The workflow's static data at start; default: the workflow's own `staticData`. */
	staticData?: IDataObject;
	/**
	 * Give each node that declares a credential type present in `credentials`, and has
	 * none set in the JSON, a reference to it (as if the user had picked it). Default true.
	 */
	autoAssignCredentials?: boolean;
	/**
	 * After cancellation, how long to wait for the engine to actually finish (the
	 * running node to return) before handing back what n8n shows at once. Default 10 s.
	 */
	cancelGraceMs?: number;
}

export interface HarnessError {
	name: string;
	message: string;
	description?: string | null;
	/** The item that failed (`error.context.itemIndex`, as n8n shows it). */
	itemIndex?: number;
	runIndex?: number;
	/** HTTP status of a NodeApiError. */
	httpCode?: string | null;
	level?: string;
	/** Name of the node the error names. */
	nodeName?: string;
	/** NodeApiError's messages. */
	messages?: string[];
	context?: IDataObject;
	/** The error object itself. */
	raw: unknown;
}

export interface NodeRun {
	/** Output items per output index (`[]` for an output that got nothing). */
	items: INodeExecutionData[][];
	/** The node's error when it failed (and did not continue on fail). */
	error?: HarnessError;
	/** Execution hints the node added (`addExecutionHints`) or n8n added for it. */
	hints: NodeExecutionHint[];
	executionStatus?: ExecutionStatus;
	executionTime: number;
	startTime: number;
	metadata?: ITaskData['metadata'];
	raw: ITaskData;
}

export interface WorkflowRunResult {
	status: ExecutionStatus;
	finished: boolean;
	/** The execution's error (a failed node's error, or the cancellation). */
	error?: HarnessError;
	/** Runs of each node that ran, in run order. */
	nodes: Record<string, NodeRun[]>;
	/** Node names in the order they finished. */
	executionOrder: string[];
	lastNodeExecuted?: string;
	durationMs: number;
	/** Present when the run was cancelled (through `signal`, or by the workflow's `executionTimeout`). */
	cancellation?: {
		/** Milliseconds from the cancel to the engine finishing (the running node returning). */
		settledMs: number;
		/** True when the engine had not finished within `cancelGraceMs`. */
		nodeStillRunning: boolean;
	};
	/** The static data of the workflow after the run. */
	staticData: IDataObject;
	raw: IRun;
}

// ---------------------------------------------------------------------------
// Workflow loading

/** A JSON deep copy: what storing and reloading (n8n's database) would give; sees through proxies. */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let executionCounter = 0;
const nextExecutionId = () => `harness-${process.pid}-${++executionCounter}`;

/** Reads a workflow: an object (deep-copied) or a JSON file path (relative to the cwd or repo root). */
export function loadWorkflow(source: WorkflowSource): WorkflowData {
	if (typeof source !== 'string') return clone(source);
	const candidates = path.isAbsolute(source) ? [source] : [path.resolve(process.cwd(), source), path.resolve(REPO_ROOT, source)];
	let lastError: unknown;
	for (const file of candidates) {
		try {
			return JSON.parse(readFileSync(file, 'utf8')) as WorkflowData;
		} catch (error) {
			lastError = error;
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') break;
		}
	}
	throw lastError;
}

function assignCredentials(data: WorkflowData, credentials: HarnessCredentials, types: INodeTypes) {
	for (const node of data.nodes) {
		let description;
		try {
			description = types.getByNameAndVersion(node.type, node.typeVersion).description;
		} catch {
			continue; // the Workflow constructor reports unknown types
		}
		const wanted = (description.credentials ?? []).map((c) => c.name);
		// The HTTP Request node's "predefined credential type" names it in a parameter.
		const predefined = node.parameters?.nodeCredentialType;
		if (typeof predefined === 'string') wanted.push(predefined);
		for (const name of wanted) {
			if (credentials[name] === undefined || node.credentials?.[name]) continue;
			node.credentials = { ...node.credentials, [name]: { id: `harness-${name}`, name: `${name} (harness)` } };
		}
	}
}

function buildWorkflow(data: WorkflowData, options: { active: boolean; staticData?: IDataObject }) {
	return new Workflow({
		id: data.id ?? 'harness-workflow',
		name: data.name ?? 'Harness workflow',
		nodes: data.nodes,
		connections: data.connections,
		active: options.active,
		nodeTypes,
		staticData: clone(options.staticData ?? data.staticData ?? {}),
		// New workflows in n8n use the v1 execution order.
		settings: { executionOrder: 'v1', ...data.settings },
		pinData: data.pinData,
	});
}

function workflowBase(data: WorkflowData, workflow: Workflow): IWorkflowBase {
	const now = new Date();
	return {
		id: workflow.id,
		name: workflow.name ?? 'Harness workflow',
		active: workflow.active,
		isArchived: false,
		createdAt: now,
		updatedAt: now,
		nodes: data.nodes,
		connections: data.connections,
		settings: workflow.settings,
		staticData: workflow.staticData,
		pinData: data.pinData,
		activeVersionId: null,
	} as unknown as IWorkflowBase;
}

function buildAdditionalData(
	credentialsHelper: HarnessCredentialsHelper,
	hooks: ExecutionLifecycleHooks | undefined,
	executionId: string,
	workflowId: string,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		userId: 'harness-user',
		executeWorkflow: async () => {
			throw new Error('The workflow harness does not run sub-workflows');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('The workflow harness has no task runner (Code node)');
		},
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

// ---------------------------------------------------------------------------
// Results

export function describeError(error: unknown): HarnessError {
	const e = (error ?? {}) as Record<string, unknown>;
	const context = (e.context ?? {}) as IDataObject;
	const node = e.node as INode | undefined;
	return {
		name: typeof e.name === 'string' ? e.name : 'Error',
		message: typeof e.message === 'string' ? e.message : String(error),
		description: (e.description as string | null | undefined) ?? undefined,
		itemIndex: typeof context.itemIndex === 'number' ? context.itemIndex : undefined,
		runIndex: typeof context.runIndex === 'number' ? context.runIndex : undefined,
		httpCode: (e.httpCode as string | null | undefined) ?? undefined,
		level: typeof e.level === 'string' ? e.level : undefined,
		nodeName: node?.name,
		messages: Array.isArray(e.messages) ? (e.messages as string[]) : undefined,
		context,
		raw: error,
	};
}

function toNodeRun(task: ITaskData): NodeRun {
	const main = task.data?.main ?? [];
	return {
		items: main.map((output) => output ?? []),
		error: task.error ? describeError(task.error) : undefined,
		hints: task.hints ?? [],
		executionStatus: task.executionStatus,
		executionTime: task.executionTime,
		startTime: task.startTime,
		metadata: task.metadata,
		raw: task,
	};
}

function toResult(
	run: IRun,
	workflow: Workflow,
	executionOrder: string[],
	startedAt: number,
	cancellation?: WorkflowRunResult['cancellation'],
): WorkflowRunResult {
	const { runData, error, lastNodeExecuted } = run.data.resultData;
	const nodes: Record<string, NodeRun[]> = {};
	for (const [name, tasks] of Object.entries(runData)) nodes[name] = tasks.map(toNodeRun);
	return {
		status: run.status,
		finished: run.finished === true,
		error: error ? describeError(error) : undefined,
		nodes,
		executionOrder,
		lastNodeExecuted,
		durationMs: Date.now() - startedAt,
		cancellation,
		staticData: clone(workflow.staticData),
		raw: run,
	};
}

/** JSON of a node's items on one output (its first run by default, or `runIndex`). */
export function outputJson(result: WorkflowRunResult, nodeName: string, outputIndex = 0, runIndex = 0): IDataObject[] {
	const runs = result.nodes[nodeName];
	if (!runs?.length) {
		const ran = Object.keys(result.nodes).join(', ') || 'none';
		const why = result.error ? `; execution error: ${result.error.message}` : '';
		throw new Error(`Node "${nodeName}" did not run (nodes that ran: ${ran})${why}`);
	}
	const run = runs[runIndex];
	if (!run) throw new Error(`Node "${nodeName}" has no run ${runIndex} (it ran ${runs.length} times)`);
	if (run.error && run.items.length === 0) {
		throw new Error(`Node "${nodeName}" failed: ${run.error.message}`);
	}
	return (run.items[outputIndex] ?? []).map((item) => item.json);
}

// ---------------------------------------------------------------------------
// Running

interface Execution {
	workflow: Workflow;
	data: WorkflowData;
	credentialsHelper: HarnessCredentialsHelper;
}

function prepare(source: WorkflowSource, options: RunOptions, active: boolean): Execution {
	const data = loadWorkflow(source);
	const credentials = options.credentials ?? {};
	if (options.autoAssignCredentials !== false) assignCredentials(data, credentials, nodeTypes);
	const workflow = buildWorkflow(data, { active, staticData: options.staticData });
	return { workflow, data, credentialsHelper: new HarnessCredentialsHelper({ ...credentials }) };
}

async function execute(exec: Execution, options: RunOptions): Promise<WorkflowRunResult> {
	const { workflow, data, credentialsHelper } = exec;
	const mode = options.mode ?? 'manual';
	const executionId = nextExecutionId();
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowBase(data, workflow));
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	let afterHookRun: IRun | undefined;
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
		afterHookRun = fullRunData;
	});
	const additionalData = buildAdditionalData(credentialsHelper, hooks, executionId, workflow.id);
	const timeout = Number(workflow.settings.executionTimeout ?? -1);
	if (timeout > 0) additionalData.executionTimeoutTimestamp = Date.now() + timeout * 1000;

	const startNode = (options.startNode && workflow.getNode(options.startNode)) || undefined;
	if (options.startNode && !startNode) throw new Error(`No node named "${options.startNode}"`);
	if (options.destinationNode && !workflow.getNode(options.destinationNode)) {
		throw new Error(`No node named "${options.destinationNode}"`);
	}
	const startName = startNode?.name ?? workflow.getStartNode(options.destinationNode)?.name;
	const triggerToStartFrom =
		options.triggerItems && startName
			? {
					name: startName,
					data: {
						startTime: Date.now(),
						executionTime: 0,
						executionIndex: 0,
						source: [],
						data: { main: [options.triggerItems] },
					} as ITaskData,
				}
			: undefined;

	const startedAt = Date.now();
	const workflowExecute = new WorkflowExecute(additionalData, mode);
	const running = workflowExecute.run({
		workflow,
		startNode,
		destinationNode: options.destinationNode ? { nodeName: options.destinationNode, mode: 'inclusive' } : undefined,
		pinData: options.pinData ?? data.pinData,
		triggerToStartFrom,
	});

	// Cancellation: the user's stop (signal), or the workflow's own timeout, which
	// n8n's WorkflowRunner enforces by stopping the execution when it runs out.
	const { signal } = options;
	let cancelledAt: number | undefined;
	let onCancelled: () => void = () => {};
	const cancelled = new Promise<void>((resolve) => {
		onCancelled = resolve;
	});
	const cancel = () => {
		if (cancelledAt !== undefined) return;
		cancelledAt = Date.now();
		running.cancel();
		onCancelled();
	};
	const timeoutSeconds = Number(workflow.settings.executionTimeout ?? -1);
	const timeoutTimer = timeoutSeconds > 0 ? setTimeout(cancel, timeoutSeconds * 1000) : undefined;
	if (signal?.aborted) cancel();
	else signal?.addEventListener('abort', cancel, { once: true });

	const settled = running.then((run) => ({ run }));
	let graceTimer: NodeJS.Timeout | undefined;
	try {
		const first = await Promise.race([settled, cancelled.then(() => 'cancelled' as const)]);
		if (first !== 'cancelled') {
			const stoppedBy = cancelledAt === undefined ? undefined : { settledMs: Date.now() - cancelledAt, nodeStillRunning: false };
			return toResult(first.run, workflow, executionOrder, startedAt, stoppedBy);
		}
		// After a cancel, wait for the engine to finish (the running node to return), not forever.
		const grace = options.cancelGraceMs ?? 10_000;
		const outcome = await Promise.race([
			settled,
			new Promise<'timeout'>((resolve) => {
				graceTimer = setTimeout(() => resolve('timeout'), grace);
			}),
		]);
		const settledMs = Date.now() - cancelledAt!;
		if (outcome !== 'timeout') {
			return toResult(outcome.run, workflow, executionOrder, startedAt, { settledMs, nodeStillRunning: false });
		}
		// What n8n shows at once when stopped: the run data as of the cancel.
		const snapshot = afterHookRun ?? workflowExecute.getFullRunData(new Date(startedAt));
		return toResult(snapshot, workflow, executionOrder, startedAt, { settledMs, nodeStillRunning: true });
	} finally {
		clearTimeout(timeoutTimer);
		clearTimeout(graceTimer);
		signal?.removeEventListener('abort', cancel);
	}
}

/**
 * Runs a workflow (an object, or the path of a workflow JSON file) through
 * n8n-core's WorkflowExecute, in `manual` mode unless told otherwise.
 */
export async function runWorkflow(workflow: WorkflowSource, options: RunOptions = {}): Promise<WorkflowRunResult> {
	return await execute(prepare(workflow, options, false), options);
}

// ---------------------------------------------------------------------------
// Polling triggers

/** What PollContext reports when the host gives no lease (n8n-core's default). */
export const UNLEASED_POLL_BUDGET_MS = 300_000;

export interface PollHarnessOptions {
	credentials?: HarnessCredentials;
	/**
	 * What `this.getPollBudgetMs()` returns. Default 300 000 (PollContext's default, which
	 * n8n keeps for polls without a lease). n8n's leased scheduler gives
	 * min(pollTimeout, lease) minus max(20 %, 5 s), at most half.
	 */
	pollBudgetMs?: number;
	/**
	 * How the node's static data persists between polls, as n8n 2.x does it:
	 * - `inMemory` (default): the active workflow's own static data; every change
	 *   stays for the next poll (even from a poll that threw); it is saved (survives
	 *   `restart()`) when a poll emits.
	 * - `staged` (the durable scheduler, durable cursors on): each poll gets a copy of the
	 *   stored cursor; the copy is stored when the poll emits or returns null, or when the
	 *   node calls `__commitCursor`, and dropped when the poll throws.
	 * - `durable` (the durable scheduler, durable cursors off, n8n's default there): each poll
	 *   gets a fresh workflow built from the stored data; its static data is stored only when
	 *   the poll emits (`__commitCursor` commits nothing: no cursor is staged).
	 */
	cursorMode?: 'inMemory' | 'staged' | 'durable';
	autoAssignCredentials?: boolean;
}

export interface PollHarness {
	/**
	 * One poll. `trigger`: a tick of the active workflow (n8n-core's PollTriggerExecutor
	 * with a PollContext in `trigger` mode). `manual`: "Fetch Test Event", a manual
	 * execution of the trigger node on a copy of the stored static data (n8n does not
	 * keep static data changes from manual runs). Resolves with what the node returned
	 * (`null` = nothing new); rejects with the node's error.
	 */
	poll(mode: 'trigger' | 'manual'): Promise<INodeExecutionData[][] | null>;
	/** The trigger node's static data as the next `trigger` poll will see it. */
	staticData(): IDataObject;
	/** The trigger node's static data as stored (what survives a restart). */
	storedStaticData(): IDataObject;
	/** What the node gets from `this.getPollBudgetMs()`. */
	getPollBudgetMs(): number;
	/**
	 * Re-activate as after an n8n restart or a save of the active workflow: the workflow is
	 * rebuilt from stored static data. Call `activate()` next, as n8n does.
	 */
	restart(): void;
	/**
	 * The poll n8n runs when it activates the workflow (n8n-core's poll executor with
	 * testingTrigger = true): resolves with what it emitted, rejects (the activation fails) with
	 * its error; the static data is saved afterwards. Its context has no lease (the unleased
	 * budget); with `inMemory` the later polls reuse that context, as n8n's legacy engine does.
	 */
	activate(): Promise<INodeExecutionData[][] | null>;
	/** Runs the workflow from the trigger with emitted items, as n8n does after an emit. */
	runEmitted(items: INodeExecutionData[][], options?: Omit<RunOptions, 'credentials'>): Promise<WorkflowRunResult>;
	/** Number of `trigger` polls so far. */
	readonly polls: number;
	readonly workflow: Workflow;
}

export function createPollHarness(source: WorkflowSource, triggerNodeName: string, options: PollHarnessOptions = {}): PollHarness {
	const data = loadWorkflow(source);
	const credentials = { ...(options.credentials ?? {}) };
	if (options.autoAssignCredentials !== false) assignCredentials(data, credentials, nodeTypes);
	const cursorMode = options.cursorMode ?? 'inMemory';
	const budgetMs = options.pollBudgetMs ?? UNLEASED_POLL_BUDGET_MS;
	const credentialsHelper = new HarnessCredentialsHelper(credentials);

	// The stored workflow static data (n8n's database copy).
	let stored: IDataObject = clone(data.staticData ?? {});
	let activation: WorkflowActivateMode = 'activate';
	let workflow = buildWorkflow(data, { active: true, staticData: stored });
	let polls = 0;

	const triggerNode = () => {
		const node = workflow.getNode(triggerNodeName);
		if (!node) throw new Error(`No node named "${triggerNodeName}"`);
		return node;
	};
	const nodeKey = (node: INode) => `node:${node.name}`;
	const storedNodeData = (): IDataObject => clone((stored[nodeKey(triggerNode())] as IDataObject | undefined) ?? {});

	const saveWorkflowStaticData = (of: Workflow = workflow) => {
		// n8n's saveStaticData: the (poll's) workflow's static data is written to the database.
		stored = clone(of.staticData);
	};

	/**
	 * What each poll emitted or failed with. Polls may overlap (n8n does not wait for one to end
	 * before the next tick), so PollContext's callbacks find their poll's record through the async
	 * context they run in.
	 */
	interface PollOutcome {
		emitted: INodeExecutionData[][] | null;
		failure?: Error;
		staged?: IDataObject;
		/** The activation poll gets no lease, so the unleased budget. */
		activating: boolean;
	}
	const running = new AsyncLocalStorage<PollOutcome>();
	const current = (): PollOutcome => {
		const outcome = running.getStore();
		if (!outcome) throw new Error('a PollContext callback ran outside a poll');
		return outcome;
	};
	/** n8n's legacy engine: one PollContext per activation, reused by every poll (inMemory). */
	let activeContext: PollContext | undefined;
	/** Bumped by `restart()`: a poll of an earlier activation is superseded, and n8n drops what it returns. */
	let generation = 0;

	const newContext = (node: INode): PollContext => {
		const commitStaged = () => {
			const { staged } = current();
			if (staged === undefined) return;
			stored = { ...stored, [nodeKey(node)]: clone(staged) };
			// The active workflow's copy follows the stored cursor.
			Object.assign(workflow.staticData, { [nodeKey(node)]: clone(staged) });
		};
		const additionalData = buildAdditionalData(credentialsHelper, undefined, nextExecutionId(), workflow.id);
		// The durable scheduler builds each tick's workflow from the database (createPollExecutionContext).
		const contextWorkflow =
			cursorMode === 'durable' && !current().activating ? buildWorkflow(data, { active: true, staticData: stored }) : workflow;
		return new PollContext(
			contextWorkflow,
			node,
			additionalData,
			'trigger',
			activation,
			(data) => {
				current().emitted = data;
				if (cursorMode === 'staged') commitStaged();
				saveWorkflowStaticData(contextWorkflow);
			},
			(error) => {
				current().failure = error;
			},
			async () => {
				if (cursorMode === 'staged') commitStaged();
			},
			async (poll) => {
				if (cursorMode === 'staged') current().staged = storedNodeData();
				return await poll();
			},
			() => {
				const { staged } = current();
				return cursorMode === 'staged' && staged !== undefined ? staged : contextWorkflow.getStaticData('node', node);
			},
			() => (current().activating ? UNLEASED_POLL_BUDGET_MS : budgetMs),
		);
	};

	/** The context of the next poll: a fresh one per leased poll (durable scheduler), else the activation's. */
	const pollContext = (node: INode, forActivation: boolean): PollContext => {
		if (cursorMode !== 'inMemory') return newContext(node);
		if (forActivation || !activeContext) activeContext = newContext(node);
		return activeContext;
	};

	async function runPoll(forActivation: boolean): Promise<INodeExecutionData[][] | null> {
		const node = triggerNode();
		const outcome: PollOutcome = { emitted: null, activating: forActivation };
		const ofActivation = generation;
		await running.run(outcome, async () => {
			const executor = Container.get(PollTriggerExecutor);
			// testingTrigger = true is n8n's activation poll: its error rejects (fails the activation).
			const isCurrent = () => generation === ofActivation;
			await executor.create(workflow, node, pollContext(node, forActivation), isCurrent)(forActivation);
		});
		if (outcome.failure) throw outcome.failure;
		return outcome.emitted;
	}

	async function triggerPoll(): Promise<INodeExecutionData[][] | null> {
		polls++;
		return await runPoll(false);
	}

	async function activate(): Promise<INodeExecutionData[][] | null> {
		const emitted = await runPoll(true);
		// Both lines save the active workflow's static data once activation succeeded.
		saveWorkflowStaticData();
		return emitted;
	}

	async function manualPoll(): Promise<INodeExecutionData[][] | null> {
		const exec = prepare(data, { credentials, staticData: stored, autoAssignCredentials: false }, false);
		const result = await execute(exec, { destinationNode: triggerNodeName, startNode: triggerNodeName });
		const run = result.nodes[triggerNodeName]?.[0];
		if (run?.error) throw run.error.raw;
		if (result.error) throw result.error.raw;
		if (!run || run.items.length === 0 || run.items.every((o) => o.length === 0)) return null;
		return run.items;
	}

	return {
		poll: async (mode) => (mode === 'manual' ? await manualPoll() : await triggerPoll()),
		activate,
		staticData: () => (cursorMode === 'inMemory' ? workflow.getStaticData('node', triggerNode()) : storedNodeData()),
		storedStaticData: storedNodeData,
		getPollBudgetMs: () => budgetMs,
		restart: () => {
			activation = 'init';
			generation++;
			activeContext = undefined;
			workflow = buildWorkflow(data, { active: true, staticData: stored });
		},
		runEmitted: async (items, runOptions = {}) => {
			const exec = prepare(data, { credentials, staticData: stored, autoAssignCredentials: false }, true);
			return await execute(exec, {
				mode: 'trigger',
				startNode: triggerNodeName,
				triggerItems: items[0] ?? [],
				...runOptions,
			});
		},
		get polls() {
			return polls;
		},
		get workflow() {
			return workflow;
		},
	};
}

// ---------------------------------------------------------------------------
// Credential tests

const OAUTH_TYPES = new Set(['oAuth1Api', 'oAuth2Api']);

/**
 * Tests a credential as n8n's CredentialsTester does: the credential type's
 * declarative `test` request (or a node's `testedBy`) is made by a RoutingNode
 * with the credential applied, and the outcome is reported in n8n's words.
 */
export async function testCredential(credentialType: string, data: Record<string, unknown>): Promise<INodeCredentialTestResult> {
	const type = getCredentialType(credentialType);
	if (type.extends?.some((p) => OAUTH_TYPES.has(p))) {
		return { status: 'Error', message: 'OAuth credentials are not tested by the harness' };
	}
	let testRequest = type.test;
	let testFunction: ICredentialTestFunction | undefined;
	let testNodeType: INodeType | undefined;
	if (!testRequest) {
		for (const fullName of packageNodeTypeNames()) {
			const node = nodeTypes.getByName(fullName);
			const versions: INodeType[] = 'nodeVersions' in node ? Object.values((node as IVersionedNodeType).nodeVersions) : [node as INodeType];
			for (const version of versions) {
				const entry = version.description.credentials?.find((c) => c.name === credentialType && c.testedBy);
				if (!entry) continue;
				if (typeof entry.testedBy === 'string') testFunction = version.methods?.credentialTest?.[entry.testedBy];
				else {
					testRequest = entry.testedBy;
					testNodeType = version;
				}
			}
		}
	}
	if (!testRequest && !testFunction) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}

	let decryptedData;
	try {
		decryptedData = withDefaults(credentialType, data);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: 'harness-credential',
		name: `${credentialType} (harness)`,
		type: credentialType,
		data: decryptedData,
	};

	if (testFunction) {
		const context = new CredentialTestContext() as unknown as ICredentialTestFunctions;
		return await testFunction.call(context, credentialsDecrypted);
	}

	const baseType = testNodeType ?? nodeTypes.getByNameAndVersion('n8n-nodes-base.noOp');
	const tempType: INodeType = {
		description: {
			...baseType.description,
			credentials: [{ name: credentialType, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest!.request },
					default: '',
				},
			],
		},
	};
	const tempTypes: INodeTypes = {
		getByName: () => tempType,
		getByNameAndVersion: () => NodeHelpers.getVersionedNodeType(tempType),
		getKnownTypes: () => ({}),
	};
	const version = baseType.description.version;
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: baseType.description.name,
		typeVersion: Array.isArray(version) ? version[version.length - 1] : version,
		position: [0, 0],
		parameters: {},
		credentials: { [credentialType]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: tempTypes });
	const credentialsHelper = new HarnessCredentialsHelper({ [credentialType]: decryptedData });
	const additionalData = buildAdditionalData(credentialsHelper, undefined, nextExecutionId(), workflow.id);
	const runExecutionData: IRunExecutionData = createRunExecutionData({ resultData: { runData: {} } });
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, tempType, credentialsDecrypted);
	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as { message?: unknown; cause?: { response?: { status: number; statusText?: string }; code?: string } };
		const rules = testRequest!.rules ?? [];
		if (error.cause?.response) {
			const { status, statusText } = error.cause.response;
			for (const rule of rules) {
				if (rule.type === 'responseCode' && rule.properties.value === status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (status < 199 || status > 299) {
				return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: String(error.message) };
	}
	for (const rule of testRequest!.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const json = response?.[0]?.[0]?.json ?? {};
			const value = rule.properties.key.split('.').reduce<unknown>((v, k) => (v as IDataObject | undefined)?.[k], json);
			if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

// ---------------------------------------------------------------------------
// A node's execution context on its own

/**
 * The ExecuteContext n8n-core gives a node of this package (`witriumCancelRun` unless told), with
 * `credentials` assigned: its helpers (`httpRequestWithAuthentication`, ...) are n8n-core's own.
 * For tests of what a node does with its context, outside a workflow run.
 */
export function nodeExecuteContext(credentials: HarnessCredentials, nodeName = 'witriumCancelRun'): IExecuteFunctions {
	const type = packageNodeTypeNames().find((name) => name.endsWith(`.${nodeName}`));
	if (!type) throw new Error(`This package has no node named ${nodeName}`);
	const version = nodeTypes.getByNameAndVersion(type).description.version;
	const data: WorkflowData = {
		nodes: [{ id: 'node', name: 'Node', type, typeVersion: Array.isArray(version) ? version[version.length - 1] : version, position: [0, 0], parameters: {} }],
		connections: {},
	};
	assignCredentials(data, credentials, nodeTypes);
	const workflow = buildWorkflow(data, { active: false });
	const node = workflow.getNode('Node')!;
	const additionalData = buildAdditionalData(new HarnessCredentialsHelper({ ...credentials }), undefined, nextExecutionId(), workflow.id);
	const runExecutionData: IRunExecutionData = createRunExecutionData({ resultData: { runData: {} } });
	return new ExecuteContext(workflow, node, additionalData, 'manual', runExecutionData, 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
}
