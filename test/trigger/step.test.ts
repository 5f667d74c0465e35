/**
 * The trigger's pure transitions (src/n8n/trigger/step.ts) over a table of states x what a poll
 * saw, and the rule that picks this process's copy of the state over the host's (state.ts).
 * docs/trigger.md's transition table is this table in words.
 */
import type { RunResults } from '../../src/client';
import { copyIsNewer, type StateCopy, type TriggerState } from '../../src/n8n/trigger/state';
import { begin, remembered, sessionStep, started, step, type Outcome, type RunSeen, type StepConfig } from '../../src/n8n/trigger/step';
import { stableHash } from '../../src/n8n/trigger/results';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const ref = (runId: string, minutesAgo = 1) => ({ runId, startedAt: new Date(NOW - minutesAgo * 60_000).toISOString() });
const A = ref('run-a');
const B = ref('run-b');
const OLD = ref('run-old', 90);

const config = (overrides: Partial<StepConfig> = {}): StepConfig => ({
	workflowId: 'wf-1',
	emit: 'always',
	dedupeField: undefined,
	failOnRunFailure: true,
	giveUpAfterMs: 60 * 60_000,
	rememberItems: 1000,
	...overrides,
});

const run = (runId: string, status: string, result: unknown = { price: 1 }): RunResults =>
	({
		workflowId: 'wf-1',
		runId,
		status,
		startedAt: null,
		completedAt: status === 'C' || status === 'F' ? '2026-12-06T11:59:00Z' : null,
		message: null,
		executions: status === 'F' ? [{ instructionOrder: 2, instruction: 'Click', status: 'F', errorMessage: 'Not found' }] : [],
		result: status === 'C' ? result : null,
		resultFormat: null,
		errorMessage: status === 'F' ? 'Not found' : null,
	}) as unknown as RunResults;

const over = (runId: string, status = 'C', result?: unknown): RunSeen => ({ kind: 'over', run: run(runId, status, result) });
const going: RunSeen = { kind: 'going', status: 'R' };
const unreadable: RunSeen = { kind: 'unreadable', gone: false, reason: 'HTTP 404 (not from Witrium)' };
const gone: RunSeen = { kind: 'unreadable', gone: true, reason: 'Run not found' };

/** What a poll of `state` makes of each remembered run, seen as given. */
function poll(state: TriggerState, seen: Record<string, RunSeen>, cfg = config()): Outcome {
	let outcome = begin(state);
	for (const r of remembered(outcome.state)) outcome = step(outcome, r, seen[r.runId], cfg, NOW);
	return outcome;
}

const summary = (o: Outcome) => ({
	state: o.state,
	taken: o.taken,
	items: o.items.map((i) => i.json.runId),
	failure: o.failure?.message,
	cancel: o.cancel,
	blocked: o.blocked,
});

describe('Workflow Result: state x what the poll saw -> next state, items, actions', () => {
	test.each<[string, TriggerState, Record<string, RunSeen>, ReturnType<typeof summary>]>([
		['idle: nothing to read; a run may start', {}, {}, { state: {}, taken: {}, items: [], failure: undefined, cancel: [], blocked: false }],
		[
			'running, still going: kept, nothing starts',
			{ pendingRun: A },
			{ 'run-a': going },
			{ state: { pendingRun: A }, taken: { pendingRun: A }, items: [], failure: undefined, cancel: [], blocked: true },
		],
		[
			'running, finished: emitted; kept as settling until n8n takes it',
			{ pendingRun: A },
			{ 'run-a': over('run-a') },
			{ state: { settling: [A] }, taken: {}, items: ['run-a'], failure: undefined, cancel: [], blocked: false },
		],
		[
			'running, failed (Fail on Run Failure): reported at once; a run may start',
			{ pendingRun: A },
			{ 'run-a': over('run-a', 'F') },
			{
				state: {},
				taken: {},
				items: [],
				failure: 'Run run-a of workflow wf-1 failed at step 2 "Click": Not found',
				cancel: [],
				blocked: false,
			},
		],
		[
			'running, past Give Up After: cancelled and forgotten, reported; nothing starts this poll',
			{ pendingRun: OLD },
			{ 'run-old': going },
			{
				state: {},
				taken: {},
				items: [],
				failure: 'Run run-old of workflow wf-1 was still running after 90 min',
				cancel: ['run-old'],
				blocked: true,
			},
		],
		[
			'running, unreadable: kept and reported; nothing starts',
			{ pendingRun: A },
			{ 'run-a': unreadable },
			{
				state: { pendingRun: A },
				taken: { pendingRun: A },
				items: [],
				failure: 'Could not read run run-a, started by an earlier poll: HTTP 404 (not from Witrium)',
				cancel: [],
				blocked: true,
			},
		],
		[
			'running, unreadable past Give Up After: cancelled and forgotten, reported (the trigger is never dead for good)',
			{ pendingRun: OLD },
			{ 'run-old': unreadable },
			{
				state: {},
				taken: {},
				items: [],
				failure: 'Run run-old of workflow wf-1 could not be read for 90 min (HTTP 404 (not from Witrium))',
				cancel: ['run-old'],
				blocked: true,
			},
		],
		[
			'running, Witrium does not know it: forgotten, reported',
			{ pendingRun: A },
			{ 'run-a': gone },
			{
				state: {},
				taken: {},
				items: [],
				failure: 'Run run-a, started by an earlier poll, was not found in Witrium',
				cancel: [],
				blocked: true,
			},
		],
		[
			'running, of another Witrium workflow (Workflow ID changed): forgotten; a run may start',
			{ pendingRun: A },
			{ 'run-a': { kind: 'elsewhere' } },
			{ state: {}, taken: {}, items: [], failure: undefined, cancel: [], blocked: false },
		],
		[
			'settling (n8n dropped its items) and running, finished: both emitted, in order',
			{ settling: [A], pendingRun: B },
			{ 'run-a': over('run-a'), 'run-b': over('run-b') },
			{ state: { settling: [A, B] }, taken: {}, items: ['run-a', 'run-b'], failure: undefined, cancel: [], blocked: false },
		],
		[
			'settling, and running still going: the settled items go out; nothing starts',
			{ settling: [A], pendingRun: B },
			{ 'run-a': over('run-a'), 'run-b': going },
			{
				state: { settling: [A], pendingRun: B },
				taken: { pendingRun: B },
				items: ['run-a'],
				failure: undefined,
				cancel: [],
				blocked: true,
			},
		],
		[
			'settling, and running failed: the failure waits for a poll without items; nothing starts',
			{ settling: [A], pendingRun: B },
			{ 'run-a': over('run-a'), 'run-b': over('run-b', 'F') },
			{
				state: { settling: [A], pendingRun: B },
				taken: { pendingRun: B },
				items: ['run-a'],
				failure: undefined,
				cancel: [],
				blocked: true,
			},
		],
	])('%s', (_name, state, seen, expected) => {
		expect(summary(poll(state, seen))).toEqual(expected);
	});

	test('a failed run without Fail on Run Failure is an item like any other', () => {
		const outcome = poll({ pendingRun: A }, { 'run-a': over('run-a', 'F') }, config({ failOnRunFailure: false }));
		expect(summary(outcome)).toMatchObject({ items: ['run-a'], failure: undefined, state: { settling: [A] }, taken: {} });
	});

	test('emit changed: the memory moves on once n8n takes the item; an unchanged result emits nothing and moves both states', () => {
		const hash = stableHash({ price: 1 });
		const changed = poll({ pendingRun: A, lastHash: 'older' }, { 'run-a': over('run-a') }, config({ emit: 'changed' }));
		expect(changed.state).toEqual({ settling: [A], lastHash: 'older' });
		expect(changed.taken).toEqual({ lastHash: hash });
		const same = poll({ pendingRun: A, lastHash: hash }, { 'run-a': over('run-a') }, config({ emit: 'changed' }));
		expect(summary(same)).toMatchObject({ items: [], state: { lastHash: hash }, taken: { lastHash: hash } });
	});

	test('emit newItems: the second run is compared with the first run’s elements, the kept state with neither', () => {
		const cfg = config({ emit: 'newItems', dedupeField: 'id' });
		const outcome = poll(
			{ settling: [A], pendingRun: B },
			{ 'run-a': over('run-a', 'C', [{ id: 1 }]), 'run-b': over('run-b', 'C', [{ id: 1 }, { id: 2 }]) },
			cfg,
		);
		expect(outcome.items.map((i) => i.json.result)).toEqual([{ id: 1 }, { id: 2 }]);
		expect(outcome.state).toEqual({ settling: [A, B] });
		expect(outcome.taken.seenKeys).toEqual(['=1', '=2']);
	});

	test('a run started is the run going in both states; one failure per poll: what follows it is left as it was', () => {
		expect(started(begin({}), A)).toMatchObject({ state: { pendingRun: A }, taken: { pendingRun: A } });
		const outcome = poll({ settling: [A], pendingRun: B }, { 'run-a': over('run-a', 'F'), 'run-b': over('run-b') });
		expect(outcome.failure?.message).toContain('run-a');
		expect(outcome.state).toEqual({ pendingRun: B });
		expect(outcome.blocked).toBe(true);
	});

	test('state kept for Session Change is dropped', () => {
		expect(begin({ knownSessions: {}, lastHash: 'h' }).state).toEqual({ lastHash: 'h' });
	});
});

describe('Session Change: the sessions open now against the last poll n8n took', () => {
	const session = (uuid: string, status = 'active') => ({ uuid, status }) as never;
	const events = new Set(['started', 'closed'] as const);

	test('the first poll records only', () => {
		const next = sessionStep({}, [session('s1')], events);
		expect(next.items).toEqual([]);
		expect(Object.keys(next.state.knownSessions!)).toEqual(['s1']);
		expect(next.taken).toEqual(next.state);
	});

	test('events: the known sessions move on only once n8n takes them', () => {
		const known = sessionStep({}, [session('s1')], events).state;
		const next = sessionStep(known, [session('s2')], events);
		expect(next.items.map((i) => [i.json.event, i.json.browserSessionId])).toEqual([
			['started', 's2'],
			['closed', 's1'],
		]);
		expect(next.state).toEqual(known);
		expect(Object.keys(next.taken.knownSessions!)).toEqual(['s2']);
	});

	test('no event chosen for a change: the known sessions move on at once', () => {
		const known = sessionStep({}, [session('s1')], events).state;
		const next = sessionStep(known, [], new Set(['started'] as const));
		expect(next.items).toEqual([]);
		expect(next.state.knownSessions).toEqual({});
	});
});

describe("this process's copy of the state against the host's (revision and lineage)", () => {
	const copy = (rev: number, lineage = 'here', adoptedFrom = 'there:3'): StateCopy => ({ json: '{}', rev, lineage, adoptedFrom });
	test.each<[string, TriggerState, StateCopy | undefined, boolean]>([
		['no copy: the host', { rev: 3, lineage: 'x' }, undefined, false],
		[
			'the host holds an older revision of the copy (n8n did not store the later ones): the copy',
			{ rev: 4, lineage: 'here' },
			copy(6),
			true,
		],
		['the host holds the copy itself: the host', { rev: 6, lineage: 'here' }, copy(6), false],
		['the host holds the state the copy started from: the copy', { rev: 3, lineage: 'there' }, copy(6), true],
		['another main stored a state since (another lineage): the host, whatever its revision', { rev: 2, lineage: 'other' }, copy(6), false],
		['a state with no revision the copy did not start from: the host', {}, copy(6), false],
	])('%s', (_name, host, processCopy, newer) => {
		expect(copyIsNewer(host, processCopy)).toBe(newer);
	});
});
