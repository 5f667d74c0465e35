#!/usr/bin/env node
// `npm run bench:queue`: n8n 2.x in queue mode, 200 production webhook executions each
// waiting on one 3 s Witrium run (the simulator), with one worker and then with two
// (concurrency 10 each). Prints the wall time against the ideal (executions x 3 s / slots).
//
//   npm run bench:queue                        200 executions (about 3 minutes in all)
//   npm run bench:queue -- --executions 40     fewer
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT, ensureN8n, packPackage } from './n8n.mjs';
import { startQueueStack } from './queue.mjs';

const RUN_MS = 3000;
const CONCURRENCY = 10;
const WORKFLOW = 'b3b3b3b3-0000-4000-8000-00000000b3b3';

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
	const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (i < 0) return fallback;
	return Number(argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]);
};
const EXECUTIONS = flag('executions', 200);

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

async function call(baseUrl) {
	for (;;) {
		const res = await fetch(`${baseUrl}/webhook/q-bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		const text = await res.text();
		if (res.status === 404 && /not registered|version not found/.test(text)) {
			await new Promise((r) => setTimeout(r, 500)); // the main is still activating the workflow
			continue;
		}
		return { status: res.status, ok: res.ok && JSON.parse(text)?.statusName === 'completed' };
	}
}

async function round(q, sim, workers) {
	await call(q.main.baseUrl); // warm-up: the webhook is registered and a worker has loaded the nodes
	sim.reset();
	const before = new Map(q.workers.map((w) => [w.name, w.executions().length]));
	const t0 = Date.now();
	const answers = await Promise.all(Array.from({ length: EXECUTIONS }, () => call(q.main.baseUrl)));
	const wallS = (Date.now() - t0) / 1000;
	const idealS = (EXECUTIONS * RUN_MS) / 1000 / (workers * CONCURRENCY);
	const perWorker = q.workers.map((w) => `${w.name} ${w.executions().length - before.get(w.name)}`).join(', ');
	return { workers, wallS, idealS, ok: answers.filter((a) => a.ok).length, maxRuns: sim.maxConcurrentRuns(), perWorker };
}

async function main() {
	const require = createRequire(import.meta.url);
	await ensureN8n('2');
	const tarball = await packPackage();
	const { WitriumSimulator } = require(path.join(REPO_ROOT, 'dist', 'simulator', 'index.js'));
	const sim = new WitriumSimulator();
	sim.define({ workflows: [{ id: WORKFLOW, name: '3 s', startDelayMs: 0, steps: [{ instruction: 'Wait', durationMs: RUN_MS }], result: { done: true } }] });
	const simUrl = await sim.start(0, '127.0.0.1');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'witrium-queue-bench-'));
	log(`setting up Redis, Postgres, the main and one worker in ${dir}`);
	const q = await startQueueStack({
		dir,
		tarball,
		credentials: [{ id: 'witriumCredential01', name: 'Witrium API', type: 'witriumApi', data: { apiToken: sim.token, baseUrl: simUrl } }],
		workflows: [benchWorkflow()],
		activate: ['wfQueueBench'],
		workers: 1,
		concurrency: CONCURRENCY,
	});
	const rows = [];
	try {
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
	console.log(`n8n 2.x queue mode: ${EXECUTIONS} webhook executions, each one ${RUN_MS / 1000} s Witrium run; concurrency ${CONCURRENCY} per worker`);
	console.log(`machine: ${os.cpus().length} CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
	console.log('workers | wall s | ideal s | ideal/wall | completed | most runs at once | executions per worker');
	for (const r of rows) {
		console.log(
			`${r.workers}       | ${r.wallS.toFixed(1).padStart(6)} | ${r.idealS.toFixed(1).padStart(7)} | ${((r.idealS / r.wallS) * 100).toFixed(0).padStart(9)} % | ${String(r.ok).padStart(4)}/${EXECUTIONS} | ${String(r.maxRuns).padStart(17)} | ${r.perWorker}`,
		);
	}
	return rows.every((r) => r.ok === EXECUTIONS) ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(err) => {
		console.error(err?.stack || String(err));
		process.exit(1);
	},
);
