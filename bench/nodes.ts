/**
 * The Run Workflow node through n8n-core's engine (test/harness): parallel runs against the
 * ideal, and the node's throughput against the bare client's on instant runs.
 */
import type { IDataObject } from 'n8n-workflow';

import { WitriumSimulator } from '../simulator';
import { WitriumClient } from '../src/client';
import { undiciTransport } from '../src/client/http';
import { runWorkflow } from '../test/harness';
import { line, node, output } from '../test/nodes/helpers';
import { pool, round } from './lib';
import { workflowFor } from './detection';

const credentialsFor = (sim: WitriumSimulator) => ({ witriumApi: { apiToken: sim.token, baseUrl: sim.url } });

/** A Run Workflow node fed `items`, each with a unique `item` argument. */
function runNodeWorkflow(workflowId: string, itemCount: number, parameters: IDataObject) {
	const items = Array.from({ length: itemCount }, (_, item) => ({ item }));
	return line(
		[
			node('Run', 'witriumRunWorkflow', {
				workflowId,
				arguments: { argument: [{ name: 'item', value: '={{ $json.item }}' }] },
				...parameters,
			} as never),
		],
		items,
	);
}

export interface ParallelResult {
	items: number;
	runS: number;
	maxConcurrency: number;
	wallS: number;
	idealS: number;
	ratio: number;
	succeeded: number;
	maxRunsAtOnce: number;
	requests: number;
}

/** `items` runs of `runS` seconds through the node at `maxConcurrency`. */
export async function runParallel(options: { items: number; runS: number; maxConcurrency: number }): Promise<ParallelResult> {
	const sim = new WitriumSimulator();
	await sim.start();
	try {
		const id = `parallel-${options.runS}s`;
		sim.define({ workflows: [workflowFor(id, options.runS * 1000)] });
		const started = Date.now();
		const result = await runWorkflow(runNodeWorkflow(id, options.items, { options: { maxConcurrency: options.maxConcurrency } }), {
			credentials: credentialsFor(sim),
		});
		const wallS = (Date.now() - started) / 1000;
		if (result.error) throw new Error(`parallel run failed: ${result.error.message}`);
		const out = output(result, 'Run');
		const idealS = (options.items / options.maxConcurrency) * options.runS;
		return {
			...options,
			wallS: round(wallS),
			idealS: round(idealS),
			ratio: round(wallS / idealS),
			succeeded: out.filter((item) => item.json.status === 'C').length,
			maxRunsAtOnce: sim.maxConcurrentRuns(),
			requests: sim.requests.length,
		};
	} finally {
		await sim.stop();
	}
}

export interface ThroughputRow {
	mode: string;
	side: 'node' | 'client';
	items: number;
	wallS: number;
	perSecond: number;
	requests: number;
}

export interface OverheadResult {
	items: number;
	maxConcurrency: number;
	rows: ThroughputRow[];
	/** node / client throughput, per mode. */
	ratios: Record<string, number>;
}

/**
 * `items` instant runs (no steps: complete as soon as submitted) through the node and through
 * the bare client, at the same concurrency, in two modes: run and wait for completion (the
 * node's default) and submit only (Wait For: Nothing), which leaves nothing but overhead: n8n's
 * engine and its expression evaluation per item, and the node's parameter reading.
 */
export async function runOverhead(options: { items: number; maxConcurrency: number; log?: (line: string) => void }): Promise<OverheadResult> {
	const sim = new WitriumSimulator();
	await sim.start();
	const client = new WitriumClient({ apiToken: sim.token, baseUrl: sim.url, transport: undiciTransport({ apiToken: sim.token }) });
	const id = 'instant';
	sim.define({ workflows: [{ id, startDelayMs: 0, steps: [], result: { ok: true } }] });
	const { items, maxConcurrency } = options;

	const viaClient = async (wait: boolean, count = items) => {
		await pool(count, maxConcurrency, async (item) => {
			const { runId } = await client.runWorkflow(id, { args: { item } });
			if (wait) {
				const run = await client.waitForRun(runId, { maxPollIntervalMs: 10_000, timeoutMs: 900_000 });
				if (run.status !== 'C') throw new Error(`run ${runId} ended ${run.status}`);
			}
		});
	};
	const viaNode = async (wait: boolean, count = items) => {
		const result = await runWorkflow(
			runNodeWorkflow(id, count, { ...(wait ? {} : { waitFor: 'nothing' }), options: { maxConcurrency } }),
			{ credentials: credentialsFor(sim) },
		);
		if (result.error) throw new Error(`node run failed: ${result.error.message}`);
		const out = output(result, 'Run');
		if (out.length !== count) throw new Error(`node output ${out.length} items, expected ${count}`);
	};
	const measure = async (mode: string, side: 'node' | 'client', task: () => Promise<void>): Promise<ThroughputRow> => {
		sim.reset();
		const started = Date.now();
		await task();
		const wallS = (Date.now() - started) / 1000;
		const row = { mode, side, items, wallS: round(wallS), perSecond: round(items / wallS, 1), requests: sim.requests.length };
		options.log?.(`overhead: ${mode}, ${side}: ${row.perSecond} items/s`);
		return row;
	};

	try {
		// Warm-up: load the node types and let V8 optimise both paths (n8n's expression engine
		// takes a few thousand items to warm up; measured cold, the node looks 2-3× slower).
		for (let round = 0; round < 2; round++) {
			await viaNode(false);
			await viaClient(false);
		}
		const rows: ThroughputRow[] = [];
		rows.push(await measure('run and wait', 'client', () => viaClient(true)));
		rows.push(await measure('run and wait', 'node', () => viaNode(true)));
		// Submit only is over in a second or two, so the better of two rounds is kept per side.
		for (const side of ['client', 'node'] as const) {
			const task = () => (side === 'node' ? viaNode(false) : viaClient(false));
			const first = await measure('submit only', side, task);
			const second = await measure('submit only', side, task);
			rows.push(first.perSecond >= second.perSecond ? first : second);
		}
		const ratios: Record<string, number> = {};
		for (const mode of new Set(rows.map((r) => r.mode))) {
			const nodeRow = rows.find((r) => r.mode === mode && r.side === 'node')!;
			const clientRow = rows.find((r) => r.mode === mode && r.side === 'client')!;
			ratios[mode] = round(nodeRow.perSecond / clientRow.perSecond);
		}
		return { items, maxConcurrency, rows, ratios };
	} finally {
		await sim.stop();
	}
}
