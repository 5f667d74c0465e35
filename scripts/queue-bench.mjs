#!/usr/bin/env node
// `npm run bench:queue`: n8n 2.x in queue mode (the simulator as Witrium).
// 1. Long runs in the Wait loop (examples/long-run-without-holding-a-worker.json): 20 webhook
//    executions, each on a 90 s run read every 70 s, on one worker of concurrency 2. Prints how
//    many executions were in flight per worker slot, against the time had each held a slot.
// 2. 200 production webhook executions each waiting on one 3 s run, with one worker and then
//    with two (concurrency 10 each). Prints the wall time against the ideal (executions x 3 s / slots).
//
//   npm run bench:queue                                           about 6 minutes in all
//   npm run bench:queue -- --executions 40 --long-executions 10   fewer
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { longRunLoopWorkflow } from './long-run-loop.mjs';
import { REPO_ROOT, ensureN8n, packPackage } from './n8n.mjs';
import { startQueueStack } from './queue.mjs';

const RUN_MS = 3000;
const CONCURRENCY = 10;
const WORKFLOW = 'b3b3b3b3-0000-4000-8000-00000000b3b3';
const LONG_WORKFLOW = 'b4b4b4b4-0000-4000-8000-00000000b4b4';
const LONG_RUN_MS = 90_000;
const LONG_WAIT_S = 70; // over 65 s, which n8n stores in the database (exactly 65 s can sleep in the worker)
const LONG_SLOTS = 2;

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
	const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (i < 0) return fallback;
	return Number(argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]);
};
const EXECUTIONS = flag('executions', 200);
const LONG_EXECUTIONS = flag('long-executions', 20);

const log = (msg) => process.stderr.write(`  … ${msg}\n`);

function benchWorkflow() {
	const credentials = { witriumApi: { id: 'witriumCredential01', name: 'Witrium API' } };
	return {
		id: 'wfQueueBench',
		name: 'queue bench: one 3 s run per call',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'hook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: 'q-bench', responseMode: 'lastNode', options: {} },
			},
			{
				id: 'run',
				name: 'Run',
				type: 'n8n-nodes-witrium.witriumRunWorkflow',
				typeVersion: 1,
				position: [220, 0],
				parameters: { workflowId: WORKFLOW, browserSessionId: '', options: {} },
				credentials,
			},
		],
		connections: { Webhook: { main: [[{ node: 'Run', type: 'main', index: 0 }]] } },
	};
}

/** POST a production webhook; `ok` when the execution's answer is a completed run (or, for `onReceived`, any 2xx). */
async function call(baseUrl, webhookPath = 'q-bench', body = {}) {
	for (;;) {
		const res = await fetch(`${baseUrl}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const text = await res.text();
		if (res.status === 404 && /not registered|version not found/.test(text)) {
			await new Promise((r) => setTimeout(r, 500)); // the main is still activating the workflow
			continue;
		}
		return { status: res.status, text, ok: res.ok && JSON.parse(text)?.statusName === 'completed' };
	}
}

async function round(q, sim, workers) {
	await call(q.main.baseUrl); // warm-up: the webhook is registered and a worker has loaded the nodes
	sim.reset();
	const live = q.workers.filter((w) => w.child.exitCode === null && !w.child.signalCode);
	const before = new Map(live.map((w) => [w.name, w.executions().length]));
	const t0 = Date.now();
	const answers = await Promise.all(Array.from({ length: EXECUTIONS }, () => call(q.main.baseUrl)));
	const wallS = (Date.now() - t0) / 1000;
	const idealS = (EXECUTIONS * RUN_MS) / 1000 / (workers * CONCURRENCY);
	const perWorker = live.map((w) => `${w.name} ${w.executions().length - before.get(w.name)}`).join(', ');
	return { workers, wallS, idealS, ok: answers.filter((a) => a.ok).length, maxRuns: sim.maxConcurrentRuns(), perWorker };
}

/** The Wait loop: LONG_EXECUTIONS executions at once on the one worker of LONG_SLOTS slots. */
async function longRound(q, sim) {
	sim.reset();
	const t0 = Date.now();
	const calls = await Promise.all(Array.from({ length: LONG_EXECUTIONS }, (_, i) => call(q.main.baseUrl, 'q-bench-long', { job: `long-${i}` })));
	if (calls.some((c) => c.status !== 200)) throw new Error(`webhook calls answered ${calls.map((c) => `${c.status} ${c.text}`).join('; ')}`);
	let execs = [];
	while (execs.length < LONG_EXECUTIONS || execs.some((e) => !['success', 'error', 'crashed', 'canceled'].includes(e.status))) {
		if (Date.now() - t0 > 15 * 60_000) throw new Error(`long round not done after 15 min: ${JSON.stringify(execs.map((e) => e.status))}`);
		await new Promise((r) => setTimeout(r, 2000));
		execs = await q.executions(`"workflowId" = 'wfQueueBenchLong'`);
	}
	const doneS = (Math.max(...execs.map((e) => Date.parse(e.stoppedAt))) - t0) / 1000;
	const runs = sim.runs();
	return {
		inFlight: sim.maxConcurrentRuns(),
		doneS,
		heldS: (LONG_EXECUTIONS * LONG_RUN_MS) / 1000 / LONG_SLOTS,
		ok: execs.filter((e) => e.status === 'success').length,
		started: runs.length,
		reads: sim.requests.filter((r) => r.endpoint === 'getResults').length,
	};
}

async function main() {
	const require = createRequire(import.meta.url);
	await ensureN8n('2');
	const tarball = await packPackage();
	const { WitriumSimulator } = require(path.join(REPO_ROOT, 'dist', 'simulator', 'index.js'));
	const sim = new WitriumSimulator();
	sim.define({
		workflows: [
			{ id: WORKFLOW, name: '3 s', startDelayMs: 0, steps: [{ instruction: 'Wait', durationMs: RUN_MS }], result: { done: true } },
			{ id: LONG_WORKFLOW, name: '90 s', startDelayMs: 0, steps: [{ instruction: 'Export', durationMs: LONG_RUN_MS }], result: { done: true } },
		],
	});
	const simUrl = await sim.start(0, '127.0.0.1');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'witrium-queue-bench-'));
	log(`setting up Redis, Postgres, the main and one worker of concurrency ${LONG_SLOTS} in ${dir}`);
	const loop = longRunLoopWorkflow({ id: 'wfQueueBenchLong', webhookPath: 'q-bench-long', witriumWorkflowId: LONG_WORKFLOW, waitSeconds: LONG_WAIT_S });
	const q = await startQueueStack({
		dir,
		tarball,
		credentials: [{ id: 'witriumCredential01', name: 'Witrium API', type: 'witriumApi', data: { apiToken: sim.token, baseUrl: simUrl } }],
		workflows: [benchWorkflow(), loop],
		activate: ['wfQueueBench', 'wfQueueBenchLong'],
		workers: 1,
		concurrency: LONG_SLOTS,
	});
	const rows = [];
	let long;
	try {
		log(`${LONG_EXECUTIONS} long-run loops, one worker of concurrency ${LONG_SLOTS} (about ${Math.ceil(LONG_RUN_MS / 1000 / LONG_WAIT_S) * LONG_WAIT_S + 10} s)`);
		long = await longRound(q, sim);
		await q.workers[0].stop();
		await q.startWorkers(1, CONCURRENCY);
		log(`${EXECUTIONS} executions, one worker`);
		rows.push(await round(q, sim, 1));
		await q.startWorkers(1, CONCURRENCY);
		log(`${EXECUTIONS} executions, two workers`);
		rows.push(await round(q, sim, 2));
	} finally {
		await q.stop();
		await sim.stop();
		fs.rmSync(dir, { recursive: true, force: true });
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
	const cpu = os.cpus()[0]?.model ?? '?';
	console.log(
		`n8n 2.x queue mode, long runs in the Wait loop: ${LONG_EXECUTIONS} webhook executions, each one ${LONG_RUN_MS / 1000} s Witrium run read every ${LONG_WAIT_S} s; one worker of concurrency ${LONG_SLOTS}`,
	);
	console.log('in flight at once | per worker slot | all done s | had each held a slot s | completed | runs started | Get Results requests');
	console.log(
		`${String(long.inFlight).padStart(17)} | ${(long.inFlight / LONG_SLOTS).toFixed(1).padStart(15)} | ${long.doneS.toFixed(0).padStart(10)} | ${long.heldS.toFixed(0).padStart(22)} | ${String(long.ok).padStart(6)}/${LONG_EXECUTIONS} | ${String(long.started).padStart(12)} | ${long.reads}`,
	);
	console.log(`n8n 2.x queue mode: ${EXECUTIONS} webhook executions, each one ${RUN_MS / 1000} s Witrium run; concurrency ${CONCURRENCY} per worker`);
	console.log(`machine: ${os.cpus().length} CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
	console.log('workers | wall s | ideal s | ideal/wall | completed | most runs at once | executions per worker');
	for (const r of rows) {
		console.log(
			`${r.workers}       | ${r.wallS.toFixed(1).padStart(6)} | ${r.idealS.toFixed(1).padStart(7)} | ${((r.idealS / r.wallS) * 100).toFixed(0).padStart(9)} % | ${String(r.ok).padStart(4)}/${EXECUTIONS} | ${String(r.maxRuns).padStart(17)} | ${r.perWorker}`,
		);
	}
	return rows.every((r) => r.ok === EXECUTIONS) && long.ok === LONG_EXECUTIONS ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(err) => {
		console.error(err?.stack || String(err));
		process.exit(1);
	},
);
