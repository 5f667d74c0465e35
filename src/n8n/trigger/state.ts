/**
 * The trigger's state, and where it lives: `getWorkflowStaticData('node')`, plus a copy in this
 * process for what n8n does not store.
 *
 * ## When n8n stores static data (read off n8n 1.123 and 2.40: ActiveWorkflowManager,
 * n8n-core's poll-trigger-executor / ActiveWorkflows, TriggerExecutionContextFactory)
 *
 * - n8n 1.x, and 2.x's default engine: the node gets the active workflow's own static data
 *   object, kept in memory between polls. It is written to the database when a poll emits and
 *   once at the end of an activation; a poll that returns `null` or throws changes memory only.
 *   Saving (1.x) or publishing (2.x) the active workflow, or restarting n8n, re-activates it from
 *   the database copy, which loses those changes (a run started by a poll that emitted nothing).
 * - 2.x's durable scheduler (opt-in, leased polls): every poll gets a copy of the stored state,
 *   stored when the poll emits or returns `null` and dropped when it throws.
 *
 * So: after every poll on a host without a lease, this process keeps its own copy of the state
 * (`remembered`); a poll on another context (the activation poll, or the first after a poll of
 * the previous activation ended late) puts it back when the host's copy is another one, so a
 * save never forgets a carried-over run. A poll that throws asks the host to store its state
 * (`__commitCursor`, a no-op where there is nothing staged). Across an n8n restart on a host
 * without a lease, only what the database holds survives: the Witrium API offers no way to
 * list a workflow's runs, so a run started by a poll that emitted nothing cannot be found again.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

/** The trigger's static data (node scope). New fields can be added freely: unknown ones are kept. */
export interface TriggerState {
	/** sha256 of the canonical JSON of the last emitted result (emit = changed). */
	lastHash?: string;
	/** Keys of result items seen, least recently seen first (emit = newItems). */
	seenKeys?: string[];
	/** The run going: started by an earlier poll, picked up by the next one. */
	pendingRun?: { runId: string; startedAt: string };
	/** Open browser sessions at the last poll, by id (event = sessionChange). */
	knownSessions?: Record<string, IDataObject>;
}

/** Identifies a trigger in this process: its workflow and node. */
export const memoryKey = (ctx: IPollFunctions) => `${ctx.getWorkflow().id ?? ''}\u0000${ctx.getNode().id}`;

/** PollContext's budget when the host gives the poll no lease (n8n-core's default, 5 min). */
const UNLEASED_BUDGET_MS = 5 * 60_000;

export function nodeState(ctx: IPollFunctions): TriggerState {
	return ctx.getWorkflowStaticData('node') as TriggerState;
}

/** Drops state kept for the other event type, so the static data stays small. */
export function forget(state: TriggerState, keys: Array<keyof TriggerState>): void {
	for (const key of keys) if (key in state) delete state[key];
}

/**
 * A poll on 2.x's durable scheduler: it runs with a lease, whose budget n8n derives from the
 * poll timeout (default 36 s); any other poll context reports the 5 min default, or (1.x) none.
 */
function isLeased(ctx: IPollFunctions): boolean {
	const budget = (ctx as { getPollBudgetMs?: () => unknown }).getPollBudgetMs?.call(ctx);
	return typeof budget === 'number' && budget < UNLEASED_BUDGET_MS;
}

const polledContexts = new WeakSet<object>();
/** Each activation's mark, by its poll context; and the newest activation's mark of each trigger. */
const activationMarks = new WeakMap<object, object>();
const newestActivation = new Map<string, object>();

/**
 * Whether this is the poll n8n runs when it activates the workflow. n8n builds one poll context
 * per activation, runs the activation poll on it and then every scheduled poll on the same
 * context (both lines; leased polls get a context each, but never the activation's lease-free
 * one). n8n does not tell the node, so: the first poll of a lease-free context.
 */
export function isActivationPoll(ctx: IPollFunctions): boolean {
	const first = !polledContexts.has(ctx);
	polledContexts.add(ctx);
	const activation = first && !isLeased(ctx);
	if (activation) {
		const mark = {};
		activationMarks.set(ctx, mark);
		newestActivation.set(memoryKey(ctx), mark);
	}
	return activation;
}

/**
 * Whether the workflow was activated again (saved, published, n8n's own re-activation) since
 * this poll's activation: n8n then drops what this poll returns and the newer activation polls
 * on. Seen for polls on an activation's own context (1.x, 2.x's default engine); a leased poll
 * has its own guard in n8n. A plain deactivation tells the node nothing, so it is not seen.
 */
export function isSuperseded(ctx: IPollFunctions): boolean {
	const mark = activationMarks.get(ctx);
	return mark !== undefined && newestActivation.get(memoryKey(ctx)) !== mark;
}

/** This process's last copy of each trigger's state (by workflow and node id), and the poll context that wrote it. */
const remembered = new Map<string, { state: string; writer: object }>();

/**
 * After a poll: keep a copy where the host may lose it (no lease); a leased host stores every
 * poll. A poll that changed nothing leaves a copy another context wrote in the meantime alone.
 */
export function rememberState(ctx: IPollFunctions, state: TriggerState, before: string): void {
	const key = memoryKey(ctx);
	if (isLeased(ctx)) return void remembered.delete(key);
	const after = JSON.stringify(state);
	const held = remembered.get(key);
	if (after === before && held && held.writer !== ctx) return;
	remembered.set(key, { state: after, writer: ctx });
}

/**
 * Before a poll: this process's copy replaces the host's when another poll context wrote it
 * since, i.e. on activation, or when a poll of the previous activation was still going then
 * (it started a run after this activation read the database). See the file comment.
 */
export function restoreRememberedState(ctx: IPollFunctions, state: TriggerState): boolean {
	const copy = remembered.get(memoryKey(ctx));
	if (copy === undefined || copy.writer === ctx || copy.state === JSON.stringify(state)) return false;
	for (const key of Object.keys(state)) delete state[key as keyof TriggerState];
	Object.assign(state, JSON.parse(copy.state) as TriggerState);
	return true;
}

/** Asks the host to store the node's static data now (2.x staged polls; a no-op elsewhere). */
export async function commitState(ctx: IPollFunctions): Promise<void> {
	const commit = (ctx as { __commitCursor?: unknown }).__commitCursor;
	if (typeof commit !== 'function') return;
	try {
		await (commit as () => Promise<void>).call(ctx);
	} catch {
		// The error the poll is about to throw matters more than a failed early commit.
	}
}
