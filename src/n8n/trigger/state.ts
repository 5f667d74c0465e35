/**
 * The trigger's state: data with a revision, kept in `getWorkflowStaticData('node')`, plus one
 * copy per trigger in this process for what n8n does not store.
 *
 * ## When n8n stores static data (read off n8n 1.123 and 2.40: ActiveWorkflowManager, n8n-core's
 * PollTriggerExecutor / ActiveWorkflowTriggers, TriggerExecutionContextFactory, the scheduler's
 * poll task handler)
 *
 * - n8n 1.x, and 2.x's default engine: every poll of an activation gets the active workflow's own
 *   static data, kept in memory; it is written to the database when a poll emits and once after
 *   the activation. A save (1.x), a publish (2.x) or a restart rebuilds the workflow from the
 *   database copy, which lacks what polls that emitted nothing changed.
 * - 2.x's durable scheduler, durable cursors off (its default): each tick builds a fresh workflow
 *   from the database; what a poll changed is stored only when it emits.
 * - 2.x's durable scheduler, durable cursors on: each poll gets a staged copy, stored when the
 *   poll emits or returns null and whenever the node calls `__commitCursor`; dropped when it throws.
 *
 * So every write also goes to this process's copy, and a poll takes the copy instead of what the
 * host gave it when the host holds an older revision of the same lineage (see `copyIsNewer`).
 * A lineage is the chain of revisions one process wrote since it last took up a state it did not
 * write; the copy never overrules a state another process wrote. Copies are keyed by workflow
 * and node id and hold only text: nothing here keeps a poll context or a workflow alive.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

/** A Witrium run the trigger remembers. */
export interface RunRef {
	runId: string;
	startedAt: string;
}

/** The trigger's static data (node scope). */
export interface TriggerState {
	/** Bumped by every write. */
	rev?: number;
	/** Who wrote this revision (see the file comment). */
	lineage?: string;
	/** sha256 of the canonical JSON of the last emitted result (emit = changed). */
	lastHash?: string;
	/** Keys of result items seen, least recently seen first (emit = newItems). */
	seenKeys?: string[];
	/** The run going: started by an earlier poll, picked up by the next one. */
	pendingRun?: RunRef;
	/** Finished runs whose items n8n has not taken yet: emitted again by the next poll. */
	settling?: RunRef[];
	/** Open browser sessions at the last poll, by id (event = sessionChange). */
	knownSessions?: Record<string, IDataObject>;
}

/** This process's copy of one trigger's state. */
export interface StateCopy {
	json: string;
	lineage: string;
	rev: number;
	/** The state (`token`) this lineage started from, written by someone else. */
	adoptedFrom: string;
}

/** Identifies a trigger in this process: its workflow and node. */
export const triggerKey = (ctx: IPollFunctions) => `${ctx.getWorkflow().id ?? ''}\u0000${ctx.getNode().id}`;

const token = (state: TriggerState) => `${state.lineage ?? ''}:${state.rev ?? 0}`;

/**
 * Whether this process's copy is newer than what the host gave the poll: the host holds an
 * earlier revision of the copy's lineage (n8n did not store the later ones), or the very state
 * the lineage started from. Anything else the host holds was written by another process (or is
 * the copy itself), and wins.
 */
export function copyIsNewer(host: TriggerState, copy: StateCopy | undefined): boolean {
	if (!copy) return false;
	if (host.lineage === copy.lineage) return (host.rev ?? 0) < copy.rev;
	return token(host) === copy.adoptedFrom;
}

const copies = new Map<string, StateCopy>();

/** For tests: this process's copy of a trigger's state. */
export const processCopy = (key: string): StateCopy | undefined => copies.get(key);

const plain = (state: object): TriggerState => JSON.parse(JSON.stringify(state)) as TriggerState;

function replaceContents(target: IDataObject, source: TriggerState): void {
	for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
	Object.assign(target, plain(source));
}

/**
 * One poll's view of the state: read once at the start, written through `write`, which bumps the
 * revision and updates the host's object and this process's copy.
 */
export class PollState {
	private readonly host: IDataObject;
	private readonly key: string;
	private lineage: string;
	private adoptedFrom: string;
	current: TriggerState;
	/** Whether this process's copy replaced what the host gave. */
	readonly restored: boolean;

	constructor(ctx: IPollFunctions) {
		this.host = ctx.getWorkflowStaticData('node');
		this.key = triggerKey(ctx);
		const hostState = plain(this.host);
		const copy = copies.get(this.key);
		this.restored = copyIsNewer(hostState, copy);
		if (this.restored) {
			this.current = JSON.parse(copy!.json) as TriggerState;
			replaceContents(this.host, this.current);
		} else {
			this.current = hostState;
		}
		const ours = copy !== undefined && (this.restored || hostState.lineage === copy.lineage);
		this.lineage = ours ? copy.lineage : randomBytes(6).toString('hex');
		this.adoptedFrom = ours ? copy.adoptedFrom : token(hostState);
	}

	/** Writes `next` as a new revision, unless it is the current state already. */
	write(next: TriggerState): void {
		const { rev: _rev, lineage: _lineage, ...content } = next;
		const { rev: _r, lineage: _l, ...now } = this.current;
		if (JSON.stringify(content) === JSON.stringify(now)) return;
		const revised: TriggerState = { ...plain(content), rev: (this.current.rev ?? 0) + 1, lineage: this.lineage };
		replaceContents(this.host, revised);
		copies.set(this.key, { json: JSON.stringify(revised), lineage: this.lineage, rev: revised.rev!, adoptedFrom: this.adoptedFrom });
		this.current = revised;
	}
}

/** Drops state kept for the other event type, so the static data stays small. */
export function withoutKeys(state: TriggerState, keys: Array<keyof TriggerState>): TriggerState {
	const rest = { ...state };
	for (const key of keys) delete rest[key];
	return rest;
}
