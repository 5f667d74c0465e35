/**
 * The package in n8n QUEUE MODE (each line: 2.x, 1.x): Redis, Postgres, one main and two workers
 * (`n8n worker --concurrency=10`) sharing a user folder with the packed package installed as
 * the Community Nodes installer does, and the simulator in this process. One setup for the
 * file (scripts/queue.mjs); the cases run in order on it.
 *
 * Every execution here is a production one (a webhook or the active Witrium Trigger), so it
 * runs on a worker: the worker logs `Worker started execution <id>` (which worker ran what),
 * n8n's execution records are read from Postgres (execution_entity), and the simulator
 * records what reached Witrium.
 *
 * The queue's job lock is shortened (QUEUE_WORKER_LOCK_DURATION 10 s, renewed every 3 s,
 * stalled check every 5 s) so the killed-worker case ends in 15-35 s; n8n's defaults
 * (60 s, 10 s, 30 s) give the same outcome about a minute later.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { WitriumSimulator } from '../../simulator';
import { DEMO_IDS } from '../../simulator/demo';
import type { SimRun } from '../../simulator/types';
import { LINES, PACKAGE, n8nLib, node, packedTarball, startSimulator, witriumCredential } from './support/n8n';
import {
	type QueueSetup,
	callWebhook,
	executionsOf,
	maxOverlap,
	postEachItem,
	queueLib,
	sleep,
	startCollector,
	until,
	webhookWorkflow,
} from './support/queue';

const TICK_WORKFLOW = 'a0a0a0a0-0000-4000-8000-00000000a0a0'; // the trigger's: 5 s, longer than a poll waits
const TRIGGER_MAX_WAIT_S = 1;

const IDS = { chain: 'wfQueueChain', batch: 'wfQueueBatch', many: 'wfQueueMany', stop: 'wfQueueStop', trigger: 'wfQueueTrigger', kill: 'wfQueueKill', janitor: 'wfQueueJanitor' };

const witrium = (name: string) => `${PACKAGE}.${name}`;

function workflows(collectorUrl: string): object[] {
	const session = (name: string, parameters: Record<string, unknown>) => node(name, witrium('witriumBrowserSession'), parameters);
	const logIn = (name: string, parameters: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
		node(name, witrium('witriumRunWorkflow'), {
			workflowId: DEMO_IDS.loginWorkflow,
			arguments: { argument: [{ name: 'username', value: '={{ $json.user }}' }, { name: 'password', value: 'pw' }] },
			options,
			...parameters,
		});
	const slowInSession = node('Slow Export', witrium('witriumRunWorkflow'), { workflowId: DEMO_IDS.slowWorkflow });
	const trigger = node(
		'Witrium Trigger',
		witrium('witriumTrigger'),
		{ event: 'workflowResult', workflowId: TICK_WORKFLOW, emit: 'always', options: { maxWait: TRIGGER_MAX_WAIT_S }, pollTimes: { item: [{ mode: 'everyMinute' }] } },
		{ position: [0, 0] },
	);
	const record = postEachItem('Record', `${collectorUrl}trigger`);
	return [
		webhookWorkflow(IDS.chain, 'q-chain', [
			session('Create Session', { operation: 'create' }),
			logIn('Log In', { arguments: { argument: [{ name: 'username', value: "={{ $('Webhook').item.json.body.user }}" }] } }),
			node('Summarize', witrium('witriumRunTalent'), { talentId: DEMO_IDS.summarizeTalent }),
			session('Close Session', { operation: 'close' }),
		]),
		webhookWorkflow(IDS.batch, 'q-batch', [
			node('Users', 'n8n-nodes-base.set', { mode: 'raw', jsonOutput: '={{ JSON.stringify({ user: $json.body.users }) }}', options: {} }, { typeVersion: 3.4 }),
			node('One Item per User', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'user', options: {} }),
			logIn('Log In Each', { browserSessionId: '' }, { maxConcurrency: 3 }),
		]),
		webhookWorkflow(IDS.many, 'q-many', [
			logIn('Log In', {
				browserSessionId: '={{ $json.body.browserSessionId }}',
				arguments: { argument: [{ name: 'username', value: '={{ $json.body.user }}' }] },
			}),
		]),
		webhookWorkflow(IDS.stop, 'q-stop', [node('Slow Export', witrium('witriumRunWorkflow'), { workflowId: DEMO_IDS.slowWorkflow, browserSessionId: '' })], 'onReceived'),
		webhookWorkflow(IDS.kill, 'q-kill', [session('Create Session', { operation: 'create' }), slowInSession, session('Close Session', { operation: 'close' })], 'onReceived'),
		webhookWorkflow(IDS.janitor, 'q-janitor', [session('Close Idle', { operation: 'closeIdle', idleMinutes: 0 })]),
		{
			id: IDS.trigger,
			name: 'queue e2e: Witrium Trigger',
			nodes: [trigger, record],
			connections: { [trigger.name]: { main: [[{ node: record.name, type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
	];
}

describe.each(LINES)('n8n %s.x in queue mode (Redis, Postgres, a main, two workers)', (line) => {
	let sim: WitriumSimulator;
	let q: QueueSetup;
	let collector: Awaited<ReturnType<typeof startCollector>>;
	let dir: string;
	const t0 = Date.now();

	const report = (msg: string) => process.stderr.write(`[queue e2e n8n ${line}.x ${((Date.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);
	const runsOf = (definitionId: string, filter: (r: SimRun) => boolean = () => true) => sim.runs().filter((r) => r.definitionId === definitionId && filter(r));
	const byUser = (prefix: string) => (r: SimRun) => String(r.args.username ?? '').startsWith(prefix);
	const workerOf = (id: string) => q.workerOf(id)?.name ?? null;

	async function finishedExecutions(workflowId: string, count: number) {
		return until(`${count} finished executions of ${workflowId}`, async () => {
			const rows = (await executionsOf(q, workflowId)).filter((e) => e.status !== 'running' && e.status !== 'new');
			return rows.length >= count ? rows : null;
		});
	}

	beforeAll(async () => {
		let url: string;
		let token: string;
		({ simulator: sim, url, token } = await startSimulator());
		sim.define({ workflows: [{ id: TICK_WORKFLOW, name: 'Tick', steps: [{ instruction: 'Look at the page', durationMs: 5000 }], result: { ticked: true }, resultFormat: 'json' }] });
		collector = await startCollector();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'witrium-e2e-queue-'));
		await n8nLib.ensureN8n(line);
		q = await queueLib.startQueueStack({
			line,
			dir,
			tarball: await packedTarball(),
			credentials: [witriumCredential(url, token)],
			workflows: workflows(collector.url),
			activate: Object.values(IDS),
			workers: 2,
			concurrency: 10,
			extraEnv: { QUEUE_WORKER_LOCK_DURATION: '10000', QUEUE_WORKER_LOCK_RENEW_TIME: '3000', QUEUE_WORKER_STALLED_INTERVAL: '5000' },
		});
		report(`set up in ${dir}: main ${q.main?.baseUrl}, Redis ${q.env.QUEUE_BULL_REDIS_PORT}, Postgres ${q.postgres.port}`);
	}, 600_000);

	afterAll(async () => {
		await q?.stop();
		await sim?.stop();
		await collector?.stop();
		if (dir && !process.env.WITRIUM_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
		else if (dir) report(`kept ${dir}`);
	}, 120_000);

	test('a session chain and a parallel batch from production webhooks run on workers', async () => {
		const chain = await callWebhook(q.main!.baseUrl, 'q-chain', { user: 'chain-ann' });
		expect(chain.status).toBe(200);
		const [closed] = chain.body as Array<Record<string, unknown>>;
		expect(closed).toEqual(expect.objectContaining({ closed: true, browserSessionId: expect.any(String) }));
		const sessionId = closed.browserSessionId as string;
		expect(sim.sessions().find((s) => s.sessionId === sessionId)?.status).toBe('closed');
		const inSession = sim.runs().filter((r) => r.sessionId === sessionId);
		expect(inSession.map((r) => [r.definitionId, r.status])).toEqual([
			[DEMO_IDS.loginWorkflow, 'C'],
			[DEMO_IDS.summarizeTalent, 'C'],
		]);
		expect(inSession[0].args.username).toBe('chain-ann');

		const users = ['b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6'];
		const batch = await callWebhook(q.main!.baseUrl, 'q-batch', { users });
		expect(batch.status).toBe(200);
		expect((batch.body as Array<Record<string, unknown>>).map((i) => i.statusName)).toEqual(users.map(() => 'completed'));
		const batchRuns = runsOf(DEMO_IDS.loginWorkflow, byUser('b-'));
		expect(batchRuns.map((r) => r.args.username).sort()).toEqual(users);
		expect(maxOverlap(batchRuns)).toBe(3);

		const [chainExec] = await finishedExecutions(IDS.chain, 1);
		const [batchExec] = await finishedExecutions(IDS.batch, 1);
		for (const e of [chainExec, batchExec]) expect(e).toEqual(expect.objectContaining({ mode: 'webhook', status: 'success', finished: true }));
		expect(workerOf(chainExec.id)).toMatch(/^worker\d$/);
		expect(workerOf(batchExec.id)).toMatch(/^worker\d$/);
		expect(q.main!.log()).not.toMatch(/Worker started execution/);
		report(`chain: execution ${chainExec.id} on ${workerOf(chainExec.id)}; batch: execution ${batchExec.id} on ${workerOf(batchExec.id)}, ${maxOverlap(batchRuns)} runs at once`);
	});

	test('20 webhook calls at once: spread over both workers, every item completes, one session never runs two at once', async () => {
		const headers = { 'content-type': 'application/json', 'x-witrium-key': sim.token };
		const sessions: string[] = [];
		for (let i = 0; i < 2; i++) {
			const res = await fetch(`${sim.url}/v1/browser-sessions`, { method: 'POST', headers, body: '{}' });
			sessions.push(((await res.json()) as { uuid: string }).uuid);
		}
		const calls = Array.from({ length: 20 }, (_, i) => ({ user: `many-${i}`, browserSessionId: sessions[i % 2] }));
		const answers = await Promise.all(calls.map((body) => callWebhook(q.main!.baseUrl, 'q-many', body)));
		expect(answers.map((a) => a.status)).toEqual(calls.map(() => 200));
		const items = answers.map((a) => (a.body as Array<Record<string, unknown>>)[0]);
		expect(items.map((i) => i.statusName)).toEqual(calls.map(() => 'completed'));
		expect(items.map((i) => (i.result as { user: string }).user)).toEqual(calls.map((c) => c.user));
		expect(new Set(items.map((i) => i.runId)).size).toBe(20);

		const runs = runsOf(DEMO_IDS.loginWorkflow, byUser('many-'));
		expect(runs.map((r) => r.args.username).sort()).toEqual(calls.map((c) => c.user).sort()); // each submitted once
		const submits = sim.requests.filter((r) => r.endpoint === 'runWorkflow' && String((r.body as { args?: { username?: string } })?.args?.username ?? '').startsWith('many-'));
		expect(submits).toHaveLength(20);
		for (const s of sessions) {
			expect(runs.filter((r) => r.sessionId === s)).toHaveLength(10);
			expect(maxOverlap(runs.filter((r) => r.sessionId === s))).toBe(1);
		}

		const execs = await finishedExecutions(IDS.many, 20);
		expect(execs.map((e) => e.status)).toEqual(calls.map(() => 'success'));
		const perWorker: Record<string, number> = {};
		for (const e of execs) perWorker[workerOf(e.id) ?? 'main'] = (perWorker[workerOf(e.id) ?? 'main'] ?? 0) + 1;
		expect(Object.keys(perWorker).sort()).toEqual(['worker1', 'worker2']);
		report(`20 calls: executions per worker ${JSON.stringify(perWorker)}`);
		for (const s of sessions) await fetch(`${sim.url}/v1/browser-sessions/${s}`, { method: 'POST', headers, body: '{"force":true}' });
	});

	test('the REST stop of an execution waiting on a slow run on a worker cancels the run within 2 s', async () => {
		const before = runsOf(DEMO_IDS.slowWorkflow).length;
		expect((await callWebhook(q.main!.baseUrl, 'q-stop')).status).toBe(200);
		const run = await until('the slow run to be running', () => runsOf(DEMO_IDS.slowWorkflow).slice(before).find((r) => r.status === 'R'));
		const [execution] = await until('the execution to be running', async () => (await executionsOf(q, IDS.stop)).filter((e) => e.status === 'running'));
		const worker = workerOf(execution.id);
		expect(worker).toMatch(/^worker\d$/);

		const rest = await n8nLib.restSession(q.main!.baseUrl);
		const stoppedAt = Date.now();
		const stop = await rest.request('POST', `/rest/executions/${execution.id}/stop`);
		expect(stop.status).toBe(200);
		const cancelled = await until('the run to be cancelled', () => sim.runs().find((r) => r.runId === run.runId && r.status === 'X'), 10_000, 50);
		expect(cancelled.cancelledAt! - stoppedAt).toBeLessThan(2000);
		const [finished] = await finishedExecutions(IDS.stop, 1);
		expect(finished.status).toBe('canceled');
		report(`stop: execution ${execution.id} on ${worker}; run cancelled ${cancelled.cancelledAt! - stoppedAt} ms after the stop`);
	});

	test('an active Witrium Trigger on the main: runs carried over polls, each emitted once, executions on workers, its state in Postgres across a main restart', async () => {
		const emitted = () => collector.received.filter((r) => r.body?.runId).map((r) => ({ at: r.at, runId: r.body.runId as string }));
		const tickRuns = () => runsOf(TICK_WORKFLOW);
		await until('a first emitted run', () => emitted().length >= 1, 180_000, 500);
		await sleep(3000); // the emitting poll's state is stored with the execution it starts
		// n8n stores a trigger's state with each execution it starts (workflow_entity.staticData).
		const [{ staticData }] = await q.postgres.rows<{ staticData: { 'node:Witrium Trigger'?: { pendingRun?: { runId: string } } } | null }>(
			`select "staticData"::json as "staticData" from workflow_entity where id = '${IDS.trigger}'`,
		);
		const stored = staticData?.['node:Witrium Trigger']?.pendingRun?.runId ?? null;
		const emittedBefore = emitted().length;
		report(`trigger: ${emittedBefore} emitted; restarting the main; the run stored in Postgres: ${stored ?? 'none'}`);
		await q.stopMain();
		const restartedAt = Date.now();
		await q.startMain();
		await until('a run emitted after the restart', () => emitted().some((e) => e.at > restartedAt), 180_000, 500);
		await sleep(2000); // anything emitted twice would arrive with it

		const all = emitted();
		expect(new Set(all.map((e) => e.runId)).size).toBe(all.length); // each emitted once
		for (const e of all) {
			const run = tickRuns().find((r) => r.runId === e.runId)!;
			expect(run.status).toBe('C');
			// It outlived the poll that started it, so a later poll emitted it.
			expect(run.completedAt! - run.submittedAt).toBeGreaterThan(TRIGGER_MAX_WAIT_S * 1000);
			expect(e.at).toBeGreaterThanOrEqual(run.completedAt!);
		}
		// The poll that emitted started the next run and stored it in Postgres with its execution:
		// the main restarted from that state emits it, once.
		expect(stored).not.toBeNull();
		expect(all.filter((e) => e.runId === stored).map((e) => e.at > restartedAt)).toEqual([true]);
		expect(maxOverlap(tickRuns())).toBe(1); // never a second run while one is going

		const execs = (await executionsOf(q, IDS.trigger)).filter((e) => e.status !== 'running');
		expect(execs).toHaveLength(all.length); // one execution per emitted run
		for (const e of execs) {
			expect(e).toEqual(expect.objectContaining({ mode: 'trigger', status: 'success' }));
			expect(workerOf(e.id)).toMatch(/^worker\d$/);
		}
		const lost = tickRuns().filter((r) => r.status === 'C' && !all.some((e) => e.runId === r.runId) && r.completedAt! < restartedAt);
		report(
			`trigger: ${all.length} runs emitted (${all.length - emittedBefore} after the restart) of ${tickRuns().length} started; ` +
				`finished before the restart and never emitted: ${lost.length}; executions ${execs.map((e) => `${e.id}@${workerOf(e.id)}`).join(' ')}`,
		);
	});

	test('a worker killed while its item waits on a run: what is left behind, and the janitor', async () => {
		const before = runsOf(DEMO_IDS.slowWorkflow).length;
		expect((await callWebhook(q.main!.baseUrl, 'q-kill')).status).toBe(200);
		const run = await until('the slow run to be running', () => runsOf(DEMO_IDS.slowWorkflow).slice(before).find((r) => r.status === 'R'));
		const [execution] = await until('the execution on a worker', async () =>
			(await executionsOf(q, IDS.kill)).filter((e) => e.status === 'running' && q.workerOf(e.id)),
		);
		const worker = q.workerOf(execution.id)!;
		const killedAt = Date.now();
		worker.child.kill('SIGKILL');
		report(`kill: SIGKILL ${worker.name} while execution ${execution.id} waits on run ${run.runId} in session ${run.sessionId}`);

		const [ended] = await until('n8n to give the execution up', async () => (await q.executions(`id = ${Number(execution.id)}`)).filter((e) => e.status !== 'running'), 180_000, 1000);
		const session = sim.sessions().find((s) => s.sessionId === run.sessionId)!;
		const finalRun = sim.runs().find((r) => r.runId === run.runId)!;
		report(
			`kill: after ${((Date.now() - killedAt) / 1000).toFixed(0)} s the execution is ${ended.status}; the run ${finalRun.status}` +
				` (ended ${finalRun.completedAt ? `${((finalRun.completedAt - killedAt) / 1000).toFixed(0)} s after the kill` : 'not'}); the session ${session.status}`,
		);
		expect(finalRun.status).toBe('C'); // nobody was left to cancel it: it ran to its end
		expect(session.status).toBe('active'); // the Close Session node never ran
		const slowRuns = runsOf(DEMO_IDS.slowWorkflow).slice(before);
		const ranIt = q.workers.filter((w) => w.executions().includes(execution.id)).map((w) => w.name);
		if (line === '2') {
			// The job's lock runs out; n8n 2.x lets Bull retry a stalled job 0 times: the main records the error.
			expect(ended.status).toBe('error');
			expect(q.main!.log()).toContain(`job stalled more than maxStalledCount (execution ${execution.id})`);
			expect(slowRuns).toHaveLength(1); // not run again
			expect(ranIt).toEqual([worker.name]);
		} else {
			// n8n 1.x retries a stalled job once (QUEUE_WORKER_MAX_STALLED_COUNT=1): the other worker
			// runs the execution again from its start, so the automation runs a second time.
			expect(ended.status).toBe('success');
			expect(slowRuns.map((r) => r.status)).toEqual(['C', 'C']);
			expect(ranIt.sort()).toEqual(['worker1', 'worker2']);
			expect(sim.sessions().find((s) => s.sessionId === slowRuns[1].sessionId)?.status).toBe('closed');
			report(`kill: n8n 1.x ran execution ${execution.id} again on the other worker: a second run ${slowRuns[1].runId} in a second session`);
		}

		// The janitor (Browser Session: Close Idle) closes what the dead worker left open.
		const janitor = await callWebhook(q.main!.baseUrl, 'q-janitor');
		expect(janitor.status).toBe(200);
		expect((janitor.body as Array<Record<string, unknown>>).map((i) => i.browserSessionId)).toContain(run.sessionId);
		expect(sim.sessions().find((s) => s.sessionId === run.sessionId)?.status).toBe('closed');
	});
});
