/**
 * Queue mode for the e2e suite: typed access to scripts/queue.mjs (Redis, Postgres, a main
 * and workers), production webhook calls, an HTTP collector for what a workflow posts, and
 * the webhook workflow builders the queue cases share.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

import type { SimRun } from '../../../simulator/types';
import { type EditorHandle, type WorkflowNode, node } from './n8n';

export interface WorkerHandle {
	name: string;
	logFile: string;
	child: { pid?: number; exitCode: number | null; signalCode: string | null; kill(signal?: string): boolean };
	log(): string;
	executions(): string[];
	stop(signal?: string): Promise<void>;
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
}

export interface QueueSetup {
	dir: string;
	env: Record<string, string>;
	main: EditorHandle | null;
	workers: WorkerHandle[];
	postgres: { port: number; rows<T = Record<string, unknown>>(sql: string): Promise<T[]>; psql(sql: string): Promise<string> };
	prepare(line: string, userFolder: string, fn: (env: Record<string, string>) => Promise<void>): Promise<void>;
	activate(ids: string[]): Promise<void>;
	startMain(port?: number): Promise<EditorHandle>;
	stopMain(): Promise<void>;
	startWorkers(count: number, concurrency?: number, workerEnv?: Record<string, string>): Promise<WorkerHandle[]>;
	workerOf(executionId: string): WorkerHandle | null;
	executions(where?: string): Promise<ExecutionRow[]>;
	stop(): Promise<void>;
}

interface QueueLib {
	startQueueServices(dir: string, opts?: { extraEnv?: Record<string, string> }): Promise<QueueSetup>;
	startQueueStack(opts: {
		line?: string;
		dir: string;
		tarball: string;
		credentials?: object[];
		workflows?: object[];
		activate?: string[];
		workers?: number;
		concurrency?: number;
		port?: number;
		extraEnv?: Record<string, string>;
	}): Promise<QueueSetup>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const queueLib = require('../../../scripts/queue.mjs') as QueueLib;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { longRunLoopWorkflow } = require('../../../scripts/long-run-loop.mjs') as {
	longRunLoopWorkflow(opts: { id: string; webhookPath: string; witriumWorkflowId: string; waitSeconds: number; reportUrl?: string }): object;
};

/** Executions of one workflow (n8n's execution_entity rows). */
export function executionsOf(q: QueueSetup, workflowId: string): Promise<ExecutionRow[]> {
	return q.executions(`"workflowId" = '${workflowId.replace(/'/g, "''")}'`);
}

/**
 * POST a production webhook on the main. A 404 "not registered" or "Published version not
 * found" means the main has not finished activating the workflow (n8n 2.x does that in the
 * background after it starts answering): nothing ran, so it is retried.
 */
export async function callWebhook(baseUrl: string, webhookPath: string, body: unknown = {}, timeoutMs = 60000): Promise<{ status: number; body: any }> {
	const t0 = Date.now();
	for (;;) {
		const res = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status === 404 && /not registered|version not found/.test(text) && Date.now() - t0 < timeoutMs) {
			await sleep(500);
			continue;
		}
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		return { status: res.status, body: parsed };
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value other than []; fails after `timeoutMs` with `what`. */
export async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 60000, everyMs = 250): Promise<NonNullable<T>> {
	const t0 = Date.now();
	for (;;) {
		const value = await check();
		if (value && !(Array.isArray(value) && value.length === 0)) return value as NonNullable<T>;
		if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(everyMs);
	}
}

/** Most runs of `runs` in progress at one moment (an end and a start at the same ms count as 1). */
export function maxOverlap(runs: SimRun[]): number {
	const edges: Array<[number, number]> = [];
	for (const r of runs) {
		if (r.startedAt === null) continue;
		edges.push([r.startedAt, 1], [r.completedAt ?? r.cancelledAt ?? Number.MAX_SAFE_INTEGER, -1]);
	}
	edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let now = 0;
	let max = 0;
	for (const [, d] of edges) max = Math.max(max, (now += d));
	return max;
}

/** An HTTP server on 127.0.0.1 recording every JSON body POSTed to it, with its path and arrival time. */
export async function startCollector(): Promise<{ url: string; received: Array<{ at: number; path: string; body: any }>; stop(): Promise<void> }> {
	const received: Array<{ at: number; path: string; body: any }> = [];
	const server = http.createServer((req, res) => {
		let text = '';
		req.on('data', (c) => (text += c));
		req.on('end', () => {
			try {
				received.push({ at: Date.now(), path: req.url ?? '', body: JSON.parse(text) });
			} catch {
				received.push({ at: Date.now(), path: req.url ?? '', body: text });
			}
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return { url: `http://127.0.0.1:${port}/`, received, stop: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Webhook (POST /webhook/<path>) → nodes in a line. `respond` = `lastNode` answers with the
 * last node's items (all of them) once the execution ends; `onReceived` answers at once.
 */
export function webhookWorkflow(id: string, webhookPath: string, nodes: WorkflowNode[], respond: 'lastNode' | 'onReceived' = 'lastNode'): object {
	const hook = node(
		'Webhook',
		'n8n-nodes-base.webhook',
		{ httpMethod: 'POST', path: webhookPath, responseMode: respond, ...(respond === 'lastNode' ? { responseData: 'allEntries' } : {}), options: {} },
		{ typeVersion: 2, position: [0, 0], webhookId: randomUUID() },
	);
	const all = [hook, ...nodes];
	const connections: Record<string, object> = {};
	for (let i = 0; i + 1 < all.length; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name: `queue e2e: ${webhookPath}`, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

/** An HTTP Request node POSTing each item's JSON to `url`. */
export function postEachItem(name: string, url: string): WorkflowNode {
	return node(
		name,
		'n8n-nodes-base.httpRequest',
		{ method: 'POST', url, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
		{ typeVersion: 4.2 },
	);
}
