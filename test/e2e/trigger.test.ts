/**
 * The Witrium Trigger ACTIVE in a real n8n, mode x scenario (issue 22): every host mode n8n ships
 * for poll triggers runs the same scenarios, each as its own workflow polled every minute, side by
 * side in one `n8n start` per mode; the modes run concurrently (a poll a minute leaves the
 * machine idle). Each emitted item goes to an HTTP Request node that calls a sink in this
 * process; Witrium is the simulator in this process, so the test sees every run and emission.
 *
 * In every mode and scenario: no run starts while another of the trigger's runs is going; with
 * emit `always` every finished run is emitted exactly once; with `changed` each change once;
 * nothing is orphaned (never emitted) but what docs/trigger.md names for the mode. The figures
 * (runs started, emitted, orphaned) are printed as a table per mode.
 *
 * `WITRIUM_E2E_TRIGGER_MODES=regular2,cursors2` runs some modes only.
 */
import { WitriumSimulator } from '../../simulator';
import type { SimRun, WorkflowDefinition } from '../../simulator/types';
import { Changes } from './support/changes';
import { LINES, N8nUnderTest, PACKAGE, node, witriumCredential, type Line } from './support/n8n';
import { type Hit, startFeed, startSink } from './support/trigger-servers';

interface Mode {
	key: string;
	title: string;
	line: Line;
	env: Record<string, string>;
	/**
	 * docs/trigger.md's table: n8n stores the trigger's state only when a poll emits, so a restart
	 * may orphan a run a poll that emitted nothing started (1.x, 2.x's default engine, and 2.x's
	 * durable scheduler with cursors off).
	 */
	restartForgets: boolean;
}

const SCHEDULER = { N8N_SCHEDULER_ENABLED: 'true', N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true' };
const ALL_MODES: Mode[] = [
	{ key: 'regular1', title: 'n8n 1.x, regular', line: '1', env: {}, restartForgets: true },
	{ key: 'regular2', title: 'n8n 2.x, regular', line: '2', env: {}, restartForgets: true },
	{ key: 'scheduler2', title: 'n8n 2.x, durable scheduler, cursors off', line: '2', env: SCHEDULER, restartForgets: true },
	{
		key: 'cursors2',
		title: 'n8n 2.x, durable scheduler, cursors on',
		line: '2',
		env: { ...SCHEDULER, N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true' },
		restartForgets: false,
	},
];
const chosenModes = process.env.WITRIUM_E2E_TRIGGER_MODES?.split(',').map((key) => key.trim());
const MODES = ALL_MODES.filter((mode) => LINES.includes(mode.line) && (!chosenModes || chosenModes.includes(mode.key)));

/** Each scenario's Witrium runs come from its own simulator definition; faults go to a simulator of their own. */
type SimName = 'main' | 'retry' | 'unreadable' | 'slow';
const SIMS: SimName[] = ['main', 'retry', 'unreadable', 'slow'];

interface Scenario {
	key: string;
	title: string;
	sim: SimName;
	/** The run's step lengths (ms): a step's end is an event a scenario's action can wait on. */
	steps: number[];
	fails?: boolean;
	trigger: { emit: 'always' | 'changed'; options?: Record<string, unknown> };
	minRuns: number;
}

const SCENARIOS: Scenario[] = [
	{ key: 'short', title: 'runs shorter than a poll', sim: 'main', steps: [8000], trigger: { emit: 'always' }, minRuns: 3 },
	{
		key: 'failing',
		title: 'runs that fail: activation sends nothing, so no activation error',
		sim: 'main',
		steps: [8000],
		fails: true,
		trigger: { emit: 'always' },
		minRuns: 3,
	},
	{
		key: 'long',
		title: 'runs longer than the poll interval (75 s, Max Wait 1 s)',
		sim: 'main',
		steps: [75_000],
		trigger: { emit: 'always', options: { maxWait: 1 } },
		minRuns: 3,
	},
	{
		key: 'changed',
		title: 'emit changed, runs carried to the next poll, the result changing every second run',
		sim: 'main',
		steps: [30_000],
		trigger: { emit: 'changed', options: { maxWait: 1 } },
		minRuns: 4,
	},
	{
		key: 'overlap',
		title: 'overlapping ticks (Max Wait per Poll 90 s, runs of 75 s)',
		sim: 'main',
		steps: [75_000],
		trigger: { emit: 'always', options: { maxWait: 90 } },
		minRuns: 3,
	},
	{
		key: 'retry',
		title: 'a first start refused 429 three times (Retry-After 25 s), past the next tick',
		sim: 'retry',
		steps: [30_000],
		trigger: { emit: 'always', options: { maxWait: 90 } },
		minRuns: 3,
	},
	{
		key: 'publish',
		title: 'a save (1.x) or publish (2.x) while a poll waits for its run',
		sim: 'main',
		steps: [5000, 25_000],
		trigger: { emit: 'always' },
		minRuns: 3,
	},
	{
		key: 'restart',
		title: "a restart of n8n while a run is carried (the mode's one restart)",
		sim: 'main',
		steps: [3000, 27_000],
		trigger: { emit: 'always', options: { maxWait: 1 } },
		minRuns: 3,
	},
	{
		key: 'unreadable',
		title: 'a remembered run that cannot be read (a proxy 404, then 503): Give Up After (1.5 min) ends it',
		sim: 'unreadable',
		steps: [5000, 600_000],
		trigger: { emit: 'always', options: { maxWait: 1, giveUpAfter: 1.5 } },
		minRuns: 3,
	},
	{
		key: 'slow',
		title: "a slow start: every POST answers 8 s late, after the poll's soft deadline (Max Wait 5 s)",
		sim: 'slow',
		steps: [20_000],
		trigger: { emit: 'always', options: { maxWait: 5 } },
		minRuns: 3,
	},
	{
		key: 'rss',
		title: 'a second poll trigger (RSS) in the workflow failing its activation twice',
		sim: 'main',
		steps: [8000],
		trigger: { emit: 'always' },
		minRuns: 3,
	},
];

const SLOW_START_MS = 8000;
const FEED_FAILURES = 2;
/** n8n polls at most once a minute: every scenario has its runs well within this (a bound for failing, not a wait). */
const MODE_DEADLINE_MS = 13 * 60_000;

const workflowIdOf = (scenario: Scenario) => `wfTrig${scenario.key}`; // n8n: at most 21 characters
const definitionIdOf = (scenario: Scenario) => `5f0c3a8e-1b2d-4c6e-8f10-${String(SCENARIOS.indexOf(scenario) + 1).padStart(12, '0')}`;
const credentialOf = (sim: SimName) => ({ id: `witriumCred${sim}`, name: `Witrium (${sim})` });
const endOf = (run: SimRun) => run.completedAt ?? run.cancelledAt;
const isGoing = (run: SimRun) => run.startedAt !== null && endOf(run) === null;

function definition(scenario: Scenario, version = 0): WorkflowDefinition {
	return {
		id: definitionIdOf(scenario),
		name: scenario.title,
		startDelayMs: 500,
		steps: scenario.steps.map((durationMs, i) => ({ instruction: `Step ${i + 1}`, durationMs })),
		...(scenario.fails ? { failAtStep: scenario.steps.length, errorMessage: 'Login form not found', result: null } : { result: { version } }),
	};
}

/** Witrium Trigger (every minute) → HTTP Request to the sink with the emitted run id and result version. */
function triggerWorkflow(scenario: Scenario, sinkUrl: string, feedUrl: string): object {
	const trigger = node(
		'Witrium Trigger',
		`${PACKAGE}.witriumTrigger`,
		{ pollTimes: { item: [{ mode: 'everyMinute' }] }, workflowId: definitionIdOf(scenario), ...scenario.trigger },
		{ credentials: { witriumApi: credentialOf(scenario.sim) } },
	);
	const report = node(
		'Report',
		'n8n-nodes-base.httpRequest',
		{ url: `=${sinkUrl}/${scenario.key}/{{ $json.runId }}/{{ $json.result?.version ?? '-' }}`, options: {} },
		{ typeVersion: 4.2 },
	);
	const nodes = [trigger, report];
	const connections: Record<string, object> = { 'Witrium Trigger': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } };
	if (scenario.key === 'rss') {
		nodes.push(
			node('RSS Feed Trigger', 'n8n-nodes-base.rssFeedReadTrigger', { pollTimes: { item: [{ mode: 'everyMinute' }] }, feedUrl }),
			node('Report RSS', 'n8n-nodes-base.httpRequest', { url: `=${sinkUrl}/rss-feed/{{ $json.guid }}`, options: {} }, { typeVersion: 4.2 }),
		);
		connections['RSS Feed Trigger'] = { main: [[{ node: 'Report RSS', type: 'main', index: 0 }]] };
	}
	return { id: workflowIdOf(scenario), name: `e2e trigger ${scenario.key}`, nodes, connections, settings: { executionOrder: 'v1' } };
}

/**
 * What the editor does on Publish (2.x) or Save (1.x; `active: true` when activating): n8n
 * (re-)activates the workflow from the database.
 */
async function publishWorkflow(n8n: N8nUnderTest, id: string, activate = false): Promise<void> {
	const rest = await n8n.session();
	const current = await rest.request('GET', `/rest/workflows/${id}`);
	const versionId = (current.body?.data ?? current.body)?.versionId as string;
	const saved =
		n8n.line === '2'
			? await rest.request('POST', `/rest/workflows/${id}/activate`, { versionId })
			: await rest.request('PATCH', `/rest/workflows/${id}`, { versionId, ...(activate ? { active: true } : {}) });
	if (saved.status !== 200) throw new Error(`publishing ${id} failed: ${saved.status} ${JSON.stringify(saved.body)}`);
}

/** What one mode's n8n did: every run, every emission, and when the test acted. */
interface ModeOutcome {
	mode: Mode;
	startedAt: number;
	endedAt: number;
	/** Scenarios not settled by the deadline. */
	unsettled: string[];
	runs: Record<string, SimRun[]>;
	hits: Record<string, Hit[]>;
	/** The result version each run of the `changed` scenario was defined with. */
	versions: Record<string, number>;
	feedHits: Array<Hit & { status: number }>;
	published: { at: number; runId: string } | null;
	restart: { at: number; upAt: number; carried: string } | null;
	unreadable: { notFoundFrom: number | null; serverErrorFrom: number | null; givenUpAt: number | null; cancelRequests: number; reads: string };
	/** Starts the slow simulator answered late. */
	slowStarts: number;
	log: string;
}

async function runMode(mode: Mode): Promise<ModeOutcome> {
	const changes = new Changes();
	const sims = Object.fromEntries(SIMS.map((name) => [name, new WitriumSimulator()])) as Record<SimName, WitriumSimulator>;
	const sink = await startSink(changes.notify);
	const feed = await startFeed(FEED_FAILURES, changes.notify);
	let n8n: N8nUnderTest | undefined;
	const logs: string[] = [];
	const outcome: ModeOutcome = {
		mode,
		startedAt: 0,
		endedAt: 0,
		unsettled: [],
		runs: {},
		hits: {},
		versions: {},
		feedHits: feed.hits,
		published: null,
		restart: null,
		unreadable: { notFoundFrom: null, serverErrorFrom: null, givenUpAt: null, cancelRequests: 0, reads: '' },
		slowStarts: 0,
		log: '',
	};
	const scenario = (key: string) => SCENARIOS.find((s) => s.key === key)!;
	const runsOf = (s: Scenario) =>
		sims[s.sim]
			.runs()
			.filter((run) => run.definitionId === definitionIdOf(s))
			.sort((a, b) => a.submittedAt - b.submittedAt);
	const hitsOf = (s: Scenario) => sink.hits.filter((hit) => hit.path.startsWith(`/${s.key}/`));
	try {
		for (const [name, sim] of Object.entries(sims)) {
			sim.define({ workflows: SCENARIOS.filter((s) => s.sim === name).map((s) => definition(s)) });
			changes.watch(sim);
		}
		sims.retry.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 429, retryAfter: '25', times: 3 });
		sims.slow.injectFault({ endpoint: 'runWorkflow', kind: 'delay', delayMs: SLOW_START_MS, probability: 1 });
		const urls = Object.fromEntries(await Promise.all(SIMS.map(async (name) => [name, await sims[name].start(0, '127.0.0.1')])));

		n8n = await N8nUnderTest.create(mode.line);
		await n8n.importCredentials(SIMS.map((name) => witriumCredential(urls[name], sims[name].token, credentialOf(name))));
		await n8n.importWorkflows(SCENARIOS.map((s) => triggerWorkflow(s, sink.url, `${feed.url}/feed.xml`)));
		// The RSS workflow is active before n8n starts, so n8n activates it at start-up (and retries
		// when that fails); the others are published the editor's way once n8n is up.
		const rss = workflowIdOf(scenario('rss'));
		const activated = await n8n.command(mode.line === '2' ? ['publish:workflow', `--id=${rss}`] : ['update:workflow', `--id=${rss}`, '--active=true']);
		if (activated.exitCode !== 0) throw new Error(`activating ${rss} failed:\n${activated.log}`);
		outcome.startedAt = Date.now();
		await n8n.startEditor({ env: mode.env });
		for (const s of SCENARIOS) if (workflowIdOf(s) !== rss) await publishWorkflow(n8n, workflowIdOf(s), true);
		const deadline = outcome.startedAt + MODE_DEADLINE_MS;
		setTimeout(changes.notify, MODE_DEADLINE_MS).unref();

		// emit `changed`: run k is defined with result version floor(k / 2), so every second run changes it.
		const changed = scenario('changed');
		changes.each(() => {
			const runs = runsOf(changed);
			const last = runs.at(-1);
			if (!last || last.runId in outcome.versions) return;
			outcome.versions[last.runId] = Math.floor((runs.length - 1) / 2);
			sims.main.define({ workflows: [definition(changed, Math.floor(runs.length / 2))] });
		});

		const unreadable = scenario('unreadable');
		const firstUnreadable = () => runsOf(unreadable)[0];

		// Saved / published while the poll waits for its run (at the end of the run's first step).
		const publish = scenario('publish');
		const waitedOn = () => runsOf(publish).find((run) => isGoing(run) && Date.now() - run.startedAt! >= publish.steps[0] - 1000);
		const published = changes.until(() => waitedOn() !== undefined).then(async (met) => {
			if (!met) return;
			const runId = waitedOn()!.runId;
			await publishWorkflow(n8n!, workflowIdOf(publish));
			outcome.published = { at: Date.now(), runId };
		});

		// Restarted while a run is carried (the poll that started it, and emitted the one before, has
		// returned), once the unreadable run was given up (or should have been): a restart in between
		// would hide that scenario.
		const restart = scenario('restart');
		const carried = () => runsOf(restart).slice(1).find((run) => isGoing(run) && Date.now() - run.startedAt! >= restart.steps[0] - 1000);
		const restarted = changes
			.until(() => carried() !== undefined && (outcome.unreadable.givenUpAt !== null || Date.now() - (firstUnreadable()?.submittedAt ?? Infinity) > 4 * 60_000))
			.then(async (met) => {
				if (!met) return;
				const { runId } = carried()!;
				const at = Date.now();
				logs.push(n8n!.editor!.log());
				await n8n!.stopEditor();
				await n8n!.startEditor({ env: mode.env });
				outcome.restart = { at, upAt: Date.now(), carried: runId };
			});

		// The remembered run cannot be read: once the poll that started it has returned (its first step
		// ended), a proxy answers 404 for it; once a poll got that, 503; until the trigger gives up (a
		// cancel). Later runs end as soon as they run.
		const sim = sims.unreadable;
		const first = firstUnreadable;
		const reads = (status: number) => sim.requests.filter((r) => r.endpoint === 'getResults' && r.status === status && r.path.includes(first().runId));
		const unreadableDone = (async () => {
			if (!(await changes.until(() => first() !== undefined && first().startedAt !== null && Date.now() - first().startedAt! >= unreadable.steps[0] - 1000))) return;
			sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: '<html><body>404 Not Found</body></html>', probability: 1 });
			outcome.unreadable.notFoundFrom = Date.now();
			if (!(await changes.until(() => reads(404).length > 0))) return;
			sim.clearFaults();
			sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 503, probability: 1 });
			outcome.unreadable.serverErrorFrom = Date.now();
			if (!(await changes.until(() => sim.requests.some((r) => r.endpoint === 'cancelRun') || endOf(first()) !== null))) return;
			sim.clearFaults();
			outcome.unreadable.givenUpAt = Date.now();
		})();
		changes.each(() => {
			for (const run of runsOf(unreadable).slice(1)) if (isGoing(run)) sim.endRun(run.runId);
		});

		const emittedIds = (s: Scenario) => new Set(hitsOf(s).map((hit) => hit.path.split('/')[2]));
		const settled = (s: Scenario): boolean => {
			const runs = runsOf(s);
			if (runs.length < s.minRuns) return false;
			if (s.key === 'restart' && !outcome.restart) return false;
			if (s.key === 'publish' && !outcome.published) return false;
			if (s.fails) return true;
			const before = runs.slice(0, -1).filter((run) => !lostToRestart(outcome, s, run, hitsOf(s)) && !(s.key === 'unreadable' && run === runs[0]));
			if (s.trigger.emit === 'changed') {
				const versions = new Set(hitsOf(s).map((hit) => Number(hit.path.split('/')[3])));
				return before.every((run) => versions.has(outcome.versions[run.runId]));
			}
			const emitted = emittedIds(s);
			return before.every((run) => emitted.has(run.runId));
		};
		await changes.until(() => Date.now() >= deadline || SCENARIOS.every(settled));
		outcome.unsettled = SCENARIOS.filter((s) => !settled(s)).map((s) => s.key);
		changes.close();
		await Promise.all([published, restarted, unreadableDone]);
		outcome.unreadable.cancelRequests = sim.requests.filter((r) => r.endpoint === 'cancelRun').length;
		outcome.unreadable.reads = first() ? `${reads(200).length} read, ${reads(404).length} 404, ${reads(503).length} 503` : '';
		outcome.slowStarts = sims.slow.requests.filter((r) => r.endpoint === 'runWorkflow' && r.fault === 'delay').length;
		return outcome;
	} finally {
		outcome.endedAt = Date.now();
		changes.close();
		for (const s of SCENARIOS) {
			outcome.runs[s.key] = runsOf(s);
			outcome.hits[s.key] = hitsOf(s);
		}
		if (n8n?.editor) logs.push(n8n.editor.log());
		outcome.log = logs.join('\n');
		await n8n?.dispose();
		await Promise.all([sink.close(), feed.close(), ...SIMS.map((name) => sims[name].stop())]);
	}
}

/**
 * What docs/trigger.md says the mode's restart may orphan: in every mode, a run whose start was
 * in flight (sent, its answer not back before n8n stopped); where n8n stores the state only when
 * a poll emits, a run started before the restart and not emitted by then (n8n restarted after a
 * poll started it and before a poll emitted it).
 */
function lostToRestart(outcome: Pick<ModeOutcome, 'mode' | 'restart'>, s: Scenario, run: SimRun, hits: Hit[]): boolean {
	const { restart } = outcome;
	if (!restart) return false;
	const answeredAt = run.submittedAt + (s.sim === 'slow' ? SLOW_START_MS : 0);
	const inFlight = answeredAt >= restart.at && run.submittedAt <= restart.upAt;
	const unemitted = run.submittedAt < restart.at && !hits.some((hit) => hit.path.split('/')[2] === run.runId && hit.at < restart.at);
	return inFlight || (outcome.mode.restartForgets && unemitted);
}

/** Runs started, emitted and orphaned (a run with a successor never emitted), and where two ran at once. */
function figures(outcome: ModeOutcome, s: Scenario) {
	const runs = outcome.runs[s.key];
	const hits = outcome.hits[s.key];
	const forgettable = (run: SimRun) => lostToRestart(outcome, s, run, hits);
	const emittedIds = hits.map((hit) => hit.path.split('/')[2]);
	const givenUp = s.key === 'unreadable' ? runs.slice(0, 1).filter((run) => run.cancelledAt !== null) : [];
	const orphaned = s.fails || s.trigger.emit === 'changed' ? [] : runs.slice(0, -1).filter((run) => !emittedIds.includes(run.runId) && !givenUp.includes(run));
	// A run the restart made the trigger forget may still be going when the next poll starts one.
	const counted = runs.filter((run) => emittedIds.includes(run.runId) || !forgettable(run));
	const overlaps = counted.slice(1).filter((run, i) => run.submittedAt < (endOf(counted[i]) ?? Infinity));
	return { runs, hits, emittedIds, orphaned, allowed: orphaned.filter(forgettable), overlaps, givenUp };
}

function timeline(outcome: ModeOutcome, s: Scenario): string {
	const since = (at: number | null) => (at === null ? '-' : `${Math.round((at - outcome.startedAt) / 1000)}s`);
	const runs = outcome.runs[s.key].map((run) => `${run.runId.slice(0, 8)} ${since(run.submittedAt)}-${since(endOf(run))} ${run.status}`);
	const hits = outcome.hits[s.key].map((hit) => `${hit.path.split('/')[2].slice(0, 8)}${s.trigger.emit === 'changed' ? ` v${hit.path.split('/')[3]}` : ''} ${since(hit.at)}`);
	return `runs [${runs.join(', ')}]; emitted [${hits.join(', ')}]`;
}

function report(outcome: ModeOutcome): string {
	const since = (at: number | null | undefined) => (at == null ? '-' : `${Math.round((at - outcome.startedAt) / 1000)}s`);
	const rows = SCENARIOS.map((s) => {
		const f = figures(outcome, s);
		const emitted = s.trigger.emit === 'changed' ? `${f.hits.length} changes` : s.fails ? 'errors' : `${f.hits.length}`;
		return `| ${s.key} | ${f.runs.length} | ${emitted} | ${f.orphaned.length}${f.allowed.length ? ` (${f.allowed.length} named in docs)` : ''} | ${f.overlaps.length} |`;
	});
	const details = SCENARIOS.map((s) => `  ${s.key}: ${timeline(outcome, s)}`);
	return [
		`[e2e trigger] ${outcome.mode.title}: ${Math.round((outcome.endedAt - outcome.startedAt) / 1000)} s from n8n start` +
			`${outcome.unsettled.length ? `; NOT SETTLED: ${outcome.unsettled.join(', ')}` : ''}; restart at ${since(outcome.restart?.at)} (up at ${since(outcome.restart?.upAt)}); ` +
			`published at ${since(outcome.published?.at)}; the unreadable run: ${outcome.unreadable.reads}, given up at ${since(outcome.unreadable.givenUpAt)}`,
		'| scenario | runs started | emitted | orphaned | started while another ran |',
		'| --- | --- | --- | --- | --- |',
		...rows,
		...details,
	].join('\n');
}

const outcomes = new Map<string, Promise<ModeOutcome>>();

beforeAll(() => {
	for (const mode of MODES) {
		const outcome = runMode(mode);
		outcome.catch(() => undefined); // awaited (and failed on) by the mode's own tests
		outcomes.set(mode.key, outcome);
	}
});

describe.each(MODES)('$title: the Witrium Trigger, active', (mode) => {
	let outcome: ModeOutcome;

	beforeAll(async () => {
		outcome = await outcomes.get(mode.key)!;
		process.stderr.write(`${report(outcome)}\n`);
	}, MODE_DEADLINE_MS + 10 * 60_000);

	test.each(SCENARIOS.map((s) => [s.key, s] as const))('%s: never two runs at once; each finished run emitted once, or each change once', (_, s) => {
		const f = figures(outcome, s);
		const context = `${mode.title}, ${s.key}: ${timeline(outcome, s)}`;
		expect({ context, unsettled: outcome.unsettled.includes(s.key) }).toEqual({ context, unsettled: false });
		expect({ context, overlaps: f.overlaps.map((run) => run.runId) }).toEqual({ context, overlaps: [] });
		expect({ context, runs: f.runs.length >= s.minRuns }).toEqual({ context, runs: true });
		// Emitted once each, and only runs of this trigger.
		expect({ context, duplicates: f.emittedIds.filter((id, i) => f.emittedIds.indexOf(id) !== i) }).toEqual({ context, duplicates: [] });
		expect({ context, strangers: f.emittedIds.filter((id) => !f.runs.some((run) => run.runId === id)) }).toEqual({ context, strangers: [] });
		expect({ context, orphaned: f.orphaned.filter((run) => !f.allowed.includes(run)).map((run) => run.runId) }).toEqual({ context, orphaned: [] });
		if (s.trigger.emit === 'changed') {
			// Each change once, in order: versions 0, 1, 2, ... (every second run changes the result).
			const versions = f.hits.map((hit) => Number(hit.path.split('/')[3]));
			expect({ context, versions }).toEqual({ context, versions: versions.map((_v, i) => i) });
		}
		if (s.fails) expect({ context, emitted: f.hits.length }).toEqual({ context, emitted: 0 });
	});

	test('runs that fail: no activation error for their workflow', () => {
		const id = workflowIdOf(SCENARIOS.find((s) => s.key === 'failing')!);
		const activationErrors = outcome.log.split('\n').filter((line) => line.includes(id) && /activat/i.test(line) && /error|problem|unable|issue/i.test(line));
		expect(activationErrors).toEqual([]);
	});

	test('a save or publish while a poll waits: it was made while that run was going, and the run was emitted once', () => {
		const f = figures(outcome, SCENARIOS.find((s) => s.key === 'publish')!);
		expect(outcome.published).not.toBeNull();
		const run = f.runs.find((r) => r.runId === outcome.published!.runId)!;
		expect(endOf(run) ?? Infinity).toBeGreaterThan(outcome.published!.at);
		expect(f.emittedIds.filter((id) => id === run.runId)).toHaveLength(1);
	});

	test('a restart while a run is carried: the carried run (started by a poll that emitted) is emitted once after it', () => {
		const f = figures(outcome, SCENARIOS.find((s) => s.key === 'restart')!);
		expect(outcome.restart).not.toBeNull();
		const run = f.runs.find((r) => r.runId === outcome.restart!.carried)!;
		expect(endOf(run) ?? Infinity).toBeGreaterThan(outcome.restart!.at);
		const hits = f.hits.filter((hit) => hit.path.split('/')[2] === run.runId);
		expect(hits).toHaveLength(1);
		expect(hits[0].at).toBeGreaterThan(outcome.restart!.upAt);
	});

	test('a remembered run that cannot be read: Give Up After cancels it, and the trigger goes on', () => {
		const f = figures(outcome, SCENARIOS.find((s) => s.key === 'unreadable')!);
		expect(outcome.unreadable.notFoundFrom).not.toBeNull();
		expect(outcome.unreadable.serverErrorFrom).not.toBeNull();
		expect(f.givenUp).toHaveLength(1);
		expect(outcome.unreadable.cancelRequests).toBeGreaterThanOrEqual(1);
		expect(f.hits.length).toBeGreaterThanOrEqual(1);
	});

	test('slow starts: every start answered after the soft deadline, and the runs still emitted', () => {
		const f = figures(outcome, SCENARIOS.find((s) => s.key === 'slow')!);
		expect(outcome.slowStarts).toBe(f.runs.length);
		expect(f.hits.length).toBeGreaterThanOrEqual(SCENARIOS.find((s) => s.key === 'slow')!.minRuns - 1);
	});

	test('a second poll trigger failing its activation twice: it then works, and the Witrium Trigger goes on emitting', () => {
		const f = figures(outcome, SCENARIOS.find((s) => s.key === 'rss')!);
		expect(outcome.feedHits.slice(0, FEED_FAILURES).map((hit) => hit.status)).toEqual(Array(FEED_FAILURES).fill(500));
		const working = outcome.feedHits.find((hit) => hit.status === 200);
		expect(working).toBeDefined();
		expect(f.hits.filter((hit) => hit.at > working!.at).length).toBeGreaterThanOrEqual(2);
	});
});
