/**
 * The Witrium Trigger ACTIVE in a real n8n (each line: 2.x on Node 24, 1.x on Node 22): one
 * `n8n start` per line, both workflows published/activated before it, so n8n runs their
 * activation polls at start-up and then polls them every minute (n8n's shortest poll
 * interval: both lines refuse a poll time under a minute). Each emitted item goes to an HTTP
 * Request node that calls a sink in this process, so the test sees every emission.
 *
 * - Every poll starts a run (issue 10 item 1): runs of about 15 s, longer than a poll's 1 s
 *   (Max Wait per Poll), shorter than the minute between polls. N polls → N runs, one started
 *   at each poll and never two at once; each poll emits the run the previous one started, once.
 * - Activation never waits on, or fails because of, a Witrium run (item 2): a workflow whose
 *   runs fail after 10 s. The activation poll sends nothing to Witrium, so n8n starts with the
 *   workflow active and no activation error; its runs start at the scheduled polls.
 * - A save keeps "never two runs at once" (item 2): right after a scheduled poll started a run
 *   (which n8n keeps in memory only, the poll having emitted nothing), the workflow is saved the
 *   editor's way (1.x: PATCH, 2.x: publish), so n8n re-activates it from the database; the run
 *   is still picked up and emitted once, and no second run starts while it is going.
 * - One poll at a time (issue 17 item 1): n8n starts the next poll on time even while the last
 *   one still runs. Every minute, Max Wait per Poll 90 s, runs of 75 s, emit `always` (2.x gives
 *   a poll more than the minute); and a first start that Witrium answers 429 (Retry-After 25 s)
 *   three times, which holds a poll past the next tick on both lines (on a second simulator, so
 *   the faults touch no other case). Never two runs at once; every run emitted once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { WitriumSimulator } from '../../simulator';
import { LINES, N8nUnderTest, PACKAGE, node, tail, witriumCredential, type WorkflowNode } from './support/n8n';

const EVERY_POLL_ID = 'wfE2eTrigEvery01';
const ACTIVATION_ID = 'wfE2eTrigActivate1';
const LONG_RUN = '5f0c3a8e-1b2d-4c6e-8f10-2a3b4c5d6e71';
const FAILING_RUN = '5f0c3a8e-1b2d-4c6e-8f10-2a3b4c5d6e72';
const SAVE_ID = 'wfE2eTrigSave01';
const SAVED_RUN = '5f0c3a8e-1b2d-4c6e-8f10-2a3b4c5d6e73';
const OVERLAP_ID = 'wfE2eTrigOverlap01';
const OVERLAP_RUN = '5f0c3a8e-1b2d-4c6e-8f10-2a3b4c5d6e74';
const SLOW_START_ID = 'wfE2eTrigSlowStart1';
const SLOW_START_RUN = '5f0c3a8e-1b2d-4c6e-8f10-2a3b4c5d6e75';
const SLOW_CREDENTIAL = { id: 'witriumCredSlow01', name: 'Witrium API (slow starts)' };
const POLLS = 3;

/** Records every request it gets: the HTTP Request node calls /<workflow>/<runId>. */
async function startSink(): Promise<{ url: string; hits: Array<{ path: string; at: number }>; close(): Promise<void> }> {
	const hits: Array<{ path: string; at: number }> = [];
	const server = http.createServer((req, res) => {
		hits.push({ path: req.url ?? '', at: Date.now() });
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Witrium Trigger (every minute) → HTTP Request to the sink with the emitted run id. */
function triggerWorkflow(
	id: string,
	sinkUrl: string,
	parameters: Record<string, unknown>,
	credentials?: WorkflowNode['credentials'],
): object {
	const trigger = node(
		'Witrium Trigger',
		`${PACKAGE}.witriumTrigger`,
		{ pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
		credentials ? { credentials } : {},
	);
	const report = node(
		'Report',
		'n8n-nodes-base.httpRequest',
		{ url: `=${sinkUrl}/${id}/{{ $json.runId }}`, options: {} },
		{ typeVersion: 4.2 },
	);
	return {
		id,
		name: `e2e trigger ${id}`,
		nodes: [trigger, report],
		connections: { 'Witrium Trigger': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The run the trigger's static data holds as stored in n8n's database (undefined when none). */
async function storedPendingRun(n8n: N8nUnderTest, id: string): Promise<string | undefined> {
	const workflow = await (await n8n.session()).request('GET', `/rest/workflows/${id}`);
	const staticData = (workflow.body?.data ?? workflow.body)?.staticData as Record<string, { pendingRun?: { runId: string } }> | null;
	return staticData?.['node:Witrium Trigger']?.pendingRun?.runId;
}

/** What the editor does to an active workflow on Save (1.x) or Publish (2.x): n8n re-activates it. */
async function saveActiveWorkflow(n8n: N8nUnderTest, id: string): Promise<void> {
	const rest = await n8n.session();
	const current = await rest.request('GET', `/rest/workflows/${id}`);
	const versionId = (current.body?.data ?? current.body)?.versionId as string;
	const saved =
		n8n.line === '2'
			? await rest.request('POST', `/rest/workflows/${id}/activate`, { versionId })
			: await rest.request('PATCH', `/rest/workflows/${id}`, { versionId });
	if (saved.status !== 200) throw new Error(`saving ${id} failed: ${saved.status} ${JSON.stringify(saved.body)}`);
}

describe.each(LINES)('n8n %s.x: the Witrium Trigger, active', (line) => {
	let n8n: N8nUnderTest;
	let sim: WitriumSimulator;
	let slowSim: WitriumSimulator;
	let sink: Awaited<ReturnType<typeof startSink>>;
	let startedAt = 0;
	let savedAt = 0;
	let heldInMemory = '';

	/** Runs of a simulator workflow, oldest first. */
	const runsOf = (definitionId: string) =>
		[...sim.runs(), ...slowSim.runs()].filter((run) => run.definitionId === definitionId).sort((a, b) => a.submittedAt - b.submittedAt);
	const emitted = (workflowId: string) =>
		sink.hits.filter((hit) => hit.path.startsWith(`/${workflowId}/`)).map((hit) => hit.path.split('/')[2]);

	beforeAll(async () => {
		sim = new WitriumSimulator();
		sim.define({
			workflows: [
				{
					id: LONG_RUN,
					name: 'Scrape listings (15 s)',
					startDelayMs: 500,
					steps: [{ instruction: 'Scrape', durationMs: 15_000 }],
					result: { listings: 3 },
				},
				{
					id: SAVED_RUN,
					name: 'Scrape listings (25 s)',
					startDelayMs: 500,
					steps: [{ instruction: 'Scrape', durationMs: 25_000 }],
					result: { listings: 4 },
				},
				{
					id: FAILING_RUN,
					name: 'Log in (fails after 10 s)',
					startDelayMs: 500,
					steps: [{ instruction: 'Log in', durationMs: 10_000 }],
					failAtStep: 1,
					errorMessage: 'Login form not found',
					result: null,
				},
			],
		});
		sim.define({
			workflows: [
				{
					id: OVERLAP_RUN,
					name: 'Scrape listings (75 s)',
					startDelayMs: 500,
					steps: [{ instruction: 'Scrape', durationMs: 75_000 }],
					result: { listings: 5 },
				},
			],
		});
		const simUrl = await sim.start(0, '127.0.0.1');
		slowSim = new WitriumSimulator();
		slowSim.define({
			workflows: [
				{
					id: SLOW_START_RUN,
					name: 'Scrape listings (30 s)',
					startDelayMs: 500,
					steps: [{ instruction: 'Scrape', durationMs: 30_000 }],
					result: { listings: 6 },
				},
			],
		});
		// The first start (the first scheduled poll: activation sends nothing) is refused three times.
		slowSim.injectFault({ endpoint: 'runWorkflow', kind: 'status', status: 429, retryAfter: '25', times: 3 });
		const slowSimUrl = await slowSim.start(0, '127.0.0.1');
		sink = await startSink();
		n8n = await N8nUnderTest.create(line);
		await n8n.importCredentials([witriumCredential(simUrl, sim.token), witriumCredential(slowSimUrl, slowSim.token, SLOW_CREDENTIAL)]);
		await n8n.importWorkflows([
			triggerWorkflow(EVERY_POLL_ID, sink.url, { workflowId: LONG_RUN, emit: 'always', options: { maxWait: 1 } }),
			triggerWorkflow(ACTIVATION_ID, sink.url, { workflowId: FAILING_RUN, emit: 'always' }),
			triggerWorkflow(SAVE_ID, sink.url, { workflowId: SAVED_RUN, emit: 'always', options: { maxWait: 1 } }),
			triggerWorkflow(OVERLAP_ID, sink.url, { workflowId: OVERLAP_RUN, emit: 'always', options: { maxWait: 90 } }),
			triggerWorkflow(
				SLOW_START_ID,
				sink.url,
				{ workflowId: SLOW_START_RUN, emit: 'always', options: { maxWait: 90 } },
				{ witriumApi: SLOW_CREDENTIAL },
			),
		]);
		for (const id of [EVERY_POLL_ID, ACTIVATION_ID, SAVE_ID, OVERLAP_ID, SLOW_START_ID]) {
			const activated = await n8n.command(
				line === '2' ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'],
			);
			expect(activated.exitCode).toBe(0);
		}
		startedAt = Date.now();
		await n8n.startEditor();

		// N scheduled polls of the first workflow (a poll a minute, at a random second). The third is
		// saved as soon as it has a run going that n8n's database does not hold (a poll that emitted
		// nothing started it), then polled until it emits.
		const deadline = Date.now() + (POLLS + 2.5) * 60_000;
		const done = () =>
			runsOf(LONG_RUN).length >= POLLS &&
			emitted(EVERY_POLL_ID).length >= POLLS - 1 &&
			emitted(SAVE_ID).length >= 1 &&
			emitted(OVERLAP_ID).length >= 2 &&
			emitted(SLOW_START_ID).length >= 2;
		while (Date.now() < deadline && !done()) {
			const going = runsOf(SAVED_RUN).find((run) => run.completedAt === null);
			if (savedAt === 0 && going && (await storedPendingRun(n8n, SAVE_ID)) !== going.runId) {
				await saveActiveWorkflow(n8n, SAVE_ID);
				savedAt = Date.now();
				heldInMemory = going.runId;
			}
			await sleep(1000);
		}
	}, 9 * 60_000);

	afterAll(async () => {
		// The figures behind the assertions, for the record.
		const since = (at: number | null) => (at === null ? '-' : `${Math.round((at - startedAt) / 1000)}s`);
		process.stderr.write(
			`[e2e trigger ${line}.x] ${SAVE_ID} saved at ${since(savedAt || null)} holding ${heldInMemory.slice(0, 8)} in memory only\n`,
		);
		const cases = [
			[EVERY_POLL_ID, LONG_RUN],
			[ACTIVATION_ID, FAILING_RUN],
			[SAVE_ID, SAVED_RUN],
			[OVERLAP_ID, OVERLAP_RUN],
			[SLOW_START_ID, SLOW_START_RUN],
		] as const;
		for (const [id, definition] of cases) {
			const runs = runsOf(definition).map(
				(run) => `${run.runId.slice(0, 8)} ${since(run.submittedAt)}-${since(run.completedAt)} ${run.status}`,
			);
			const hits = sink.hits
				.filter((hit) => hit.path.startsWith(`/${id}/`))
				.map((hit) => `${hit.path.split('/')[2].slice(0, 8)} ${since(hit.at)}`);
			process.stderr.write(`[e2e trigger ${line}.x] ${id}: runs [${runs.join(', ')}]; emitted [${hits.join(', ')}]\n`);
		}
		await n8n?.dispose();
		await sink?.close();
		await sim?.stop();
		await slowSim?.stop();
	});

	test(`${POLLS} polls with runs longer than a poll: a run started at each, each emitted once by the next poll, never two at once`, () => {
		const runs = runsOf(LONG_RUN);
		expect(runs.length).toBeGreaterThanOrEqual(POLLS);
		// One run a poll (a minute apart, not every second poll), each after the previous one ended.
		for (let i = 1; i < runs.length; i++) {
			expect(runs[i].submittedAt - runs[i - 1].submittedAt).toBeGreaterThan(45_000);
			expect(runs[i].submittedAt - runs[i - 1].submittedAt).toBeLessThan(80_000);
			expect(runs[i - 1].completedAt).not.toBeNull();
			expect(runs[i].submittedAt).toBeGreaterThanOrEqual(runs[i - 1].completedAt!);
		}
		// Each poll emits the run the previous poll started: all but the newest, in order, once each...
		const ids = runs.map((run) => run.runId);
		const hits = sink.hits.filter((hit) => hit.path.startsWith(`/${EVERY_POLL_ID}/`));
		const seen = emitted(EVERY_POLL_ID);
		expect(seen.length).toBeGreaterThanOrEqual(POLLS - 1);
		expect(seen).toEqual(ids.slice(0, seen.length));
		expect(seen.length).toBeGreaterThanOrEqual(ids.length - 1);
		// ...and that same poll starts the next run.
		hits.forEach((hit, i) => expect(Math.abs(hit.at - runs[i + 1].submittedAt)).toBeLessThan(10_000));
	});

	test('activation sends nothing to Witrium: no activation error for runs that fail, and they start at the scheduled polls', () => {
		const log = n8n.editor!.log();
		expect(log).not.toMatch(/problem activating the workflow|Unable to activate|initial workflow activation/i);
		const runs = runsOf(FAILING_RUN);
		// Active: the scheduled polls ran it, a minute apart; the activation poll started none.
		expect(runs.length).toBeGreaterThanOrEqual(POLLS - 1);
		for (let i = 1; i < runs.length; i++) expect(runs[i].submittedAt - runs[i - 1].submittedAt).toBeGreaterThan(45_000);
		expect(runs.filter((run) => run.completedAt !== null).every((run) => run.status === 'F')).toBe(true);
		if (runs.length === 0) throw new Error(`no run of the failing workflow\n${tail(log)}`);
	});

	test('a save while a run is going: the run is still picked up and emitted once, and no second run starts while it goes', () => {
		const runs = runsOf(SAVED_RUN);
		const held = runs.find((run) => run.runId === heldInMemory)!;
		expect(savedAt).toBeGreaterThan(0);
		expect(held.completedAt ?? Infinity).toBeGreaterThan(savedAt); // still going when saved
		for (let i = 1; i < runs.length; i++) expect(runs[i].submittedAt).toBeGreaterThanOrEqual(runs[i - 1].completedAt ?? Infinity);
		expect(emitted(SAVE_ID)).toEqual(runs.slice(0, emitted(SAVE_ID).length).map((run) => run.runId));
		expect(emitted(SAVE_ID)).toContain(heldInMemory);
	});

	/** Never two runs at once, and every run but the newest emitted exactly once, in order. */
	function expectOnePollAtATime(id: string, definition: string): void {
		const runs = runsOf(definition);
		for (let i = 1; i < runs.length; i++) expect(runs[i].submittedAt).toBeGreaterThanOrEqual(runs[i - 1].completedAt ?? Infinity);
		const ids = runs.map((run) => run.runId);
		const seen = emitted(id);
		expect(seen.length).toBeGreaterThanOrEqual(2);
		expect(seen).toEqual(ids.slice(0, seen.length));
		expect(seen.length).toBeGreaterThanOrEqual(ids.length - 1);
	}

	test('polls longer than the minute between them (Max Wait per Poll 90 s, runs of 75 s): never two runs at once, each emitted once', () => {
		expectOnePollAtATime(OVERLAP_ID, OVERLAP_RUN);
	});

	test('a start held up by 429s past the next tick: never two runs at once, each emitted once', () => {
		expectOnePollAtATime(SLOW_START_ID, SLOW_START_RUN);
	});
});
