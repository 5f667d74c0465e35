/**
 * A bounded fault-injection soak: items through the Run Workflow, Browser Session and Run Talent
 * nodes (real n8n workflow JSON through n8n-core's engine, test/harness) against the simulator
 * while it injects faults at random, then checks that nothing was lost, doubled or leaked.
 *
 * Three graphs run at once:
 * - A: items → Run Workflow (quick, normal, failing and never-ending workflows; the last hit
 *   the node's timeout, which must cancel them);
 * - B: items → Create Session → Run Workflow in it → Run Talent in it → Close Session (force);
 *   the error outputs of the run and the talent also go to Close Session;
 * - C: items → Run Talent (some talents fail).
 * Every item carries a unique `key` argument, so the simulator can count submissions per item.
 * When the graphs are done, the faults stop, a final Browser Session "Close Idle" closes what the
 * graphs could not (a janitor scheduled later, as the node's description suggests), and once every
 * run of a finite workflow has ended the checks run.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { WitriumSimulator } from '../../simulator';
import type { EndpointKey, Fault, SimRun } from '../../simulator';
import { closeAllDispatchers } from '../../src/client/dispatchers';
import { runWorkflow, type WorkflowData, type WorkflowRunResult } from '../harness';
import { line, node } from '../nodes/helpers';

export interface SoakOptions {
	/** Items of graph A (sessionless runs). */
	runItems: number;
	/** Items of graph B (one session each: a run and a talent in it). */
	sessionItems: number;
	/** Items of graph C (sessionless talents). */
	talentItems: number;
	maxConcurrency: number;
	/**
	 * A fault is injected after every this many requests (each applies to the next 1–6 matching
	 * requests). Counted in requests, not milliseconds, so a slow machine gets no more faults per
	 * request than a fast one.
	 */
	faultEveryRequests: number;
	seed: number;
	log?: (line: string) => void;
}

export const DEFAULT_SOAK: SoakOptions = {
	runItems: 200,
	sessionItems: 40,
	talentItems: 60,
	maxConcurrency: 10,
	faultEveryRequests: 5,
	seed: 6,
};

export interface Check {
	name: string;
	passed: boolean;
	detail: string;
}

export interface SoakReport {
	options: Omit<SoakOptions, 'log'>;
	passed: boolean;
	checks: Check[];
	counts: Record<string, number>;
	faults: Record<string, number>;
	/** A few error messages as the items carried them, one per distinct shape. */
	errorSamples: string[];
	durationS: number;
}

// ---------------------------------------------------------------------------------------------
// What the simulator runs

const WF = {
	quick: 'soak-0000-4000-8000-quick',
	normal: 'soak-0000-4000-8000-normal',
	fails: 'soak-0000-4000-8000-fails',
	endless: 'soak-0000-4000-8000-endless',
};
const TALENT = { ok: 'soak-0000-4000-8000-talent', fails: 'soak-0000-4000-8000-talent-fails' };

function defineWorkload(sim: WitriumSimulator): void {
	sim.define({
		workflows: [
			{ id: WF.quick, startDelayMs: 100, steps: [{ instruction: 'Open the page', durationMs: 300 }, { instruction: 'Read the price', durationMs: 400 }], echoArgs: true, result: { price: 9.5 } },
			{
				id: WF.normal,
				startDelayMs: 200,
				steps: [
					{ instruction: 'Log in', durationMs: 500 },
					{ instruction: 'Open the report', durationMs: 700 },
					{ instruction: 'Download it', durationMs: 300 },
				],
				echoArgs: true,
				result: { rows: 3 },
			},
			{
				id: WF.fails,
				startDelayMs: 100,
				steps: [{ instruction: 'Open checkout', durationMs: 300 }, { instruction: 'Click "Pay"', durationMs: 300 }],
				failAtStep: 2,
				errorMessage: 'Button "Pay" not found',
			},
			{ id: WF.endless, startDelayMs: 100, steps: [{ instruction: 'Wait for a page that never loads', durationMs: 3_600_000 }] },
		],
		talents: [
			{ id: TALENT.ok, durationMs: 300, echoArgs: true, result: { summary: 'fine' } },
			{ id: TALENT.fails, durationMs: 200, fail: 'Could not read the page' },
		],
	});
}

// ---------------------------------------------------------------------------------------------
// Faults at random (seeded: the same seed injects the same sequence of faults)

function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ENDPOINTS: EndpointKey[] = ['runWorkflow', 'getResults', 'getResults', 'getResults', 'cancelRun', 'runTalent', 'createSession', 'closeSession'];
/** Slower than the soak's request timeouts (1 s for Run Workflow, 2 s for Run Talent). */
const SLOW_MS = 2500;

type FaultMaker = (random: () => number) => { label: string; fault: Fault };
const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];
const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

const FAULT_MAKERS: FaultMaker[] = [
	(r) => ({ label: '5xx burst (all endpoints)', fault: { endpoint: '*', kind: 'status', status: pick(r, [500, 502, 503, 504]), times: between(r, 2, 6) } }),
	(r) => ({ label: '5xx', fault: { endpoint: pick(r, ENDPOINTS), kind: 'status', status: pick(r, [500, 502, 503]), times: between(r, 1, 3) } }),
	(r) => ({ label: '5xx after processing', fault: { endpoint: pick(r, ENDPOINTS), kind: 'status', status: pick(r, [500, 502]), process: true, times: 1 } }),
	(r) => ({ label: '429 with Retry-After', fault: { endpoint: pick(r, ENDPOINTS), kind: 'status', status: 429, retryAfter: '1', times: between(r, 1, 3) } }),
	(r) => ({ label: 'reset before read', fault: { endpoint: pick(r, ENDPOINTS), kind: 'reset', when: 'beforeRead', times: between(r, 1, 2) } }),
	(r) => ({ label: 'reset after handling', fault: { endpoint: pick(r, ENDPOINTS), kind: 'reset', when: 'afterHandle', times: 1 } }),
	(r) => ({ label: 'slower than the timeout', fault: { endpoint: pick(r, ['runWorkflow', 'getResults', 'runTalent', 'getResults'] as const), kind: 'delay', delayMs: SLOW_MS, times: 1 } }),
	(r) => ({ label: 'malformed JSON', fault: { endpoint: pick(r, ENDPOINTS), kind: 'malformed', times: 1 } }),
];

function startFaults(sim: WitriumSimulator, options: SoakOptions, counts: Record<string, number>): () => void {
	const random = mulberry32(options.seed);
	let stopped = false;
	let nextAt = options.faultEveryRequests;
	const inject = async () => {
		while (!stopped) {
			await sim.until(() => stopped || sim.requests.length >= nextAt);
			if (stopped) return;
			const { label, fault } = pick(random, FAULT_MAKERS)(random);
			counts[label] = (counts[label] ?? 0) + 1;
			sim.injectFault(fault);
			nextAt += options.faultEveryRequests;
		}
	};
	void inject();
	// The loop ends at the next request after this (the janitor's).
	return () => {
		stopped = true;
	};
}

// ---------------------------------------------------------------------------------------------
// The graphs

const ref = (name: string, index = 0) => ({ node: name, type: 'main' as const, index });

function graphA(options: SoakOptions): { workflow: WorkflowData; items: IDataObject[] } {
	const items = Array.from({ length: options.runItems }, (_, i) => ({
		key: `a-${i}`,
		workflow: i % 20 === 19 ? WF.endless : i % 20 >= 16 ? WF.fails : i % 2 ? WF.normal : WF.quick,
	}));
	const workflow = line(
		[
			node(
				'Run',
				'witriumRunWorkflow',
				{
					workflowId: '={{ $json.workflow }}',
					arguments: { argument: [{ name: 'key', value: '={{ $json.key }}' }] },
					options: { maxConcurrency: options.maxConcurrency, timeout: 8, requestTimeout: 1 },
				},
				{ onError: 'continueErrorOutput' },
			),
		],
		items,
	);
	return { workflow, items };
}

function graphB(options: SoakOptions): { workflow: WorkflowData; items: IDataObject[] } {
	const items = Array.from({ length: options.sessionItems }, (_, i) => ({
		key: `b-${i}`,
		workflow: i % 5 === 4 ? WF.fails : WF.quick,
		talent: i % 7 === 6 ? TALENT.fails : TALENT.ok,
	}));
	const nodes: INode[] = [
		node('Start', 'n8n-nodes-base.manualTrigger'),
		node('Create Session', 'witriumBrowserSession', { operation: 'create' }, { onError: 'continueErrorOutput' }),
		node(
			'Run In Session',
			'witriumRunWorkflow',
			{
				workflowId: "={{ $('Start').item.json.workflow }}",
				browserSessionId: '={{ $json.browserSessionId }}',
				arguments: { argument: [{ name: 'key', value: "={{ $('Start').item.json.key }}" }] },
				options: { maxConcurrency: options.maxConcurrency, timeout: 8, requestTimeout: 1 },
			},
			{ onError: 'continueErrorOutput' },
		),
		node(
			'Talent In Session',
			'witriumRunTalent',
			{
				talentId: "={{ $('Start').item.json.talent }}",
				browserSessionId: '={{ $json.browserSessionId }}',
				arguments: { argument: [{ name: 'key', value: "={{ $('Start').item.json.key + ':talent' }}" }] },
				options: { maxConcurrency: options.maxConcurrency, requestTimeout: 2 },
			},
			{ onError: 'continueErrorOutput' },
		),
		node('Close Session', 'witriumBrowserSession', { operation: 'close', browserSessionId: '={{ $json.browserSessionId }}', force: true }, { onError: 'continueRegularOutput' }),
	];
	const workflow: WorkflowData = {
		nodes,
		connections: {
			Start: { main: [[ref('Create Session')]] },
			'Create Session': { main: [[ref('Run In Session')], []] },
			'Run In Session': { main: [[ref('Talent In Session')], [ref('Close Session')]] },
			'Talent In Session': { main: [[ref('Close Session')], [ref('Close Session')]] },
		},
		pinData: { Start: items.map((json) => ({ json })) },
	};
	return { workflow, items };
}

function graphC(options: SoakOptions): { workflow: WorkflowData; items: IDataObject[] } {
	const items = Array.from({ length: options.talentItems }, (_, i) => ({ key: `c-${i}`, talent: i % 6 === 5 ? TALENT.fails : TALENT.ok }));
	const workflow = line(
		[
			node(
				'Talent',
				'witriumRunTalent',
				{
					talentId: '={{ $json.talent }}',
					arguments: { argument: [{ name: 'key', value: '={{ $json.key }}' }] },
					options: { maxConcurrency: options.maxConcurrency, requestTimeout: 2 },
				},
				{ onError: 'continueRegularOutput' },
			),
		],
		items,
	);
	return { workflow, items };
}

// ---------------------------------------------------------------------------------------------
// Reading the results

/** Every run of a node, each output's items. */
function outputsOf(result: WorkflowRunResult, nodeName: string): INodeExecutionData[][][] {
	return (result.nodes[nodeName] ?? []).map((run) => run.items);
}

function isErrorItem(item: INodeExecutionData): boolean {
	return item.error !== undefined || (item.json && 'error' in item.json);
}

function pairedIndex(item: INodeExecutionData): number {
	const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	return typeof paired === 'number' ? paired : (paired?.item ?? -1);
}

/** The text an error item shows: its message and what to do about it (`details`, or the error's description). */
function errorText(item: INodeExecutionData): string {
	const error = item.error as (Error & { description?: string | null }) | undefined;
	const text = (value: unknown) => (typeof value === 'string' ? value : '');
	return [text(item.json.error), text(item.json.details), error?.message ?? '', error?.description ?? ''].join('\n');
}

function errorMessage(item: INodeExecutionData): unknown {
	return item.json.error ?? item.error?.message;
}

/** An error message that names its cause: a real sentence, nothing undefined or unprintable. */
export function namesItsCause(message: unknown): boolean {
	if (typeof message !== 'string') return false;
	const text = message.trim();
	return text.length >= 12 && !/\bundefined\b|\[object Object\]|^Error$|^null$/i.test(text);
}

interface ItemOutcome {
	graph: string;
	node: string;
	key: string;
	/** The key the item's run or talent was submitted with (run: key; talent in a session: key:talent). */
	submittedKey: string;
	kind: 'run' | 'talent' | 'session' | 'close';
	ok: boolean;
	item: INodeExecutionData;
}

// ---------------------------------------------------------------------------------------------
// The soak

export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakReport> {
	const options: SoakOptions = { ...DEFAULT_SOAK, ...partial };
	const log = options.log ?? (() => undefined);
	const started = Date.now();

	// Everything printed while the soak runs is kept to check it for the token.
	const captured: string[] = [];
	const restoreCapture = captureOutput(captured);
	let unhandled = 0;
	const onUnhandled = (reason: unknown) => {
		unhandled++;
		captured.push(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
	};
	process.on('unhandledRejection', onUnhandled);

	const sim = new WitriumSimulator();
	await sim.start();
	const credentials = { witriumApi: { apiToken: sim.token, baseUrl: sim.url } };
	const faultCounts: Record<string, number> = {};
	try {
		defineWorkload(sim);
		const a = graphA(options);
		const b = graphB(options);
		const c = graphC(options);
		log(`soak: ${a.items.length} runs, ${b.items.length} session chains, ${c.items.length} talents; a fault every ${options.faultEveryRequests} requests (seed ${options.seed})`);
		const stopFaults = startFaults(sim, options, faultCounts);
		let results: WorkflowRunResult[];
		try {
			results = await Promise.all([a, b, c].map(({ workflow }) => runWorkflow(workflow, { credentials })));
		} finally {
			stopFaults();
		}
		const [resultA, resultB, resultC] = results;
		log(`soak: graphs done after ${((Date.now() - started) / 1000).toFixed(1)} s; faults stop, the janitor closes idle sessions`);

		sim.clearFaults();
		const janitor = await runWorkflow(line([node('Close Idle', 'witriumBrowserSession', { operation: 'closeIdle', idleMinutes: 0 })]), { credentials });
		// Every run but the never-ending ones ends by itself (none of those holds a session a finite
		// run waits for): once they have, what is still going was started and left by the node.
		await sim.until(() => sim.runs().every((run) => run.definitionId === WF.endless || (run.status !== 'P' && run.status !== 'R')));

		// ---- outcomes per item ----------------------------------------------------------------
		const outcomes: ItemOutcome[] = [];
		const lost: string[] = [];
		const collect = (graph: string, nodeName: string, kind: ItemOutcome['kind'], keyOf: (index: number) => string | undefined, expectedInputs: number | undefined, submitted: (key: string) => string, result: WorkflowRunResult) => {
			const seen = new Set<number>();
			let total = 0;
			for (const outputs of outputsOf(result, nodeName)) {
				for (const items of outputs) {
					for (const item of items) {
						total++;
						const index = pairedIndex(item);
						seen.add(index);
						const key = keyOf(index) ?? `${graph}?${index}`;
						outcomes.push({ graph, node: nodeName, key, submittedKey: submitted(key), kind, ok: !isErrorItem(item), item });
					}
				}
			}
			if (expectedInputs !== undefined && (seen.size !== expectedInputs || total !== expectedInputs)) {
				lost.push(`${graph} ${nodeName}: ${expectedInputs} items in, ${total} out (${seen.size} distinct)`);
			}
		};
		const same = (key: string) => key;
		collect('A', 'Run', 'run', (i) => a.items[i]?.key as string, a.items.length, same, resultA);
		collect('C', 'Talent', 'talent', (i) => c.items[i]?.key as string, c.items.length, same, resultC);

		// Graph B: follow pairedItem back to the Start item.
		const created = outputsOf(resultB, 'Create Session')[0]?.[0] ?? [];
		const ranOk = outputsOf(resultB, 'Run In Session')[0]?.[0] ?? [];
		const startKey = (i: number) => b.items[i]?.key as string | undefined;
		const viaCreate = (i: number) => (created[i] ? startKey(pairedIndex(created[i])) : undefined);
		const viaRun = (i: number) => (ranOk[i] ? viaCreate(pairedIndex(ranOk[i])) : undefined);
		collect('B', 'Create Session', 'session', startKey, b.items.length, same, resultB);
		collect('B', 'Run In Session', 'run', viaCreate, created.length, same, resultB);
		collect('B', 'Talent In Session', 'talent', viaRun, ranOk.length, (key) => `${key}:talent`, resultB);
		const talentOut = outputsOf(resultB, 'Talent In Session')[0] ?? [];
		const runErrors = outputsOf(resultB, 'Run In Session')[0]?.[1] ?? [];
		const expectedCloses = runErrors.length + (talentOut[0]?.length ?? 0) + (talentOut[1]?.length ?? 0);
		const closes = outputsOf(resultB, 'Close Session').flat(2);
		if (closes.length !== expectedCloses) lost.push(`B Close Session: ${expectedCloses} items in, ${closes.length} out`);
		for (const item of closes) outcomes.push({ graph: 'B', node: 'Close Session', key: String(item.json.browserSessionId ?? '?'), submittedKey: '', kind: 'close', ok: !isErrorItem(item), item });

		// ---- checks ---------------------------------------------------------------------------
		const checks: Check[] = [];
		const runs = sim.runs();
		const runsByKey = new Map<string, SimRun[]>();
		for (const run of runs) {
			const key = String(run.args.key ?? '');
			runsByKey.set(key, [...(runsByKey.get(key) ?? []), run]);
		}

		const doubled = [...runsByKey].filter(([key, list]) => key !== '' && list.length > 1);
		checks.push({
			name: 'duplicate submissions',
			passed: doubled.length === 0,
			detail: `${doubled.length} of ${runsByKey.size} keys submitted more than once${doubled.length ? `: ${doubled.slice(0, 5).map(([key, list]) => `${key} ×${list.length}`).join(', ')}` : ''}`,
		});

		const sessions = sim.sessions();
		const open = sessions.filter((session) => session.status === 'active');
		const closedByGraph = closes.filter((item) => !isErrorItem(item)).length;
		const closedByJanitor = outputsOf(janitor, 'Close Idle')[0]?.[0]?.length ?? 0;
		// The graph's own Close must at least be given the session: an error branch that lost the
		// session id leaves the session to the janitor (a bug, not a fault).
		const closesWithoutId = closes.filter((item) => isErrorItem(item) && /Session ID is empty/.test(errorText(item))).length;
		checks.push({
			name: 'leaked sessions',
			passed: open.length === 0 && !janitor.error && closesWithoutId === 0,
			detail:
				`${open.length} of ${sessions.length} sessions left open (${closedByGraph} closed by the graph's Close, ${closes.length - closedByGraph} Close items failed, ${closedByJanitor} closed by the final Close Idle)` +
				(closesWithoutId ? `; ${closesWithoutId} Close Session items got no session id from the error branch` : '') +
				(janitor.error ? `; the janitor failed: ${janitor.error.message}` : ''),
		});

		// A run still going now is an orphan, unless the node could not have stopped it and its
		// item says so: its submission failed after being sent (no run id came back; "may have
		// started"), or it was given up on at the timeout and every try of the best-effort cancel
		// (a few seconds; the faults can refuse them all) was refused ("may still be going").
		const outcomeBySubmittedKey = new Map<string, ItemOutcome>();
		for (const outcome of outcomes) if (outcome.kind === 'run' || outcome.kind === 'talent') outcomeBySubmittedKey.set(outcome.submittedKey, outcome);
		const textOf = (run: SimRun) => {
			const outcome = outcomeBySubmittedKey.get(String(run.args.key));
			return outcome && !outcome.ok ? errorText(outcome.item) : '';
		};
		const going = runs.filter((run) => run.status === 'P' || run.status === 'R');
		const unknowable = going.filter((run) => !textOf(run).includes(run.runId) && /may have started/.test(textOf(run)));
		const cancelTried = (run: SimRun) => sim.requests.some((request) => request.method === 'POST' && request.path === `/v1/runs/${run.runId}/cancel`);
		const cancelRefused = going.filter((run) => /did not reach/.test(textOf(run)) && /may still be going/.test(textOf(run)) && cancelTried(run));
		const orphans = going.filter((run) => !unknowable.includes(run) && !cancelRefused.includes(run));
		const givenUpRuns = outcomes
			.filter((o) => o.kind === 'run' && !o.ok && /did not reach/.test(errorText(o.item)))
			.flatMap((o) => runsByKey.get(o.submittedKey) ?? []);
		const givenUpCancelled = givenUpRuns.filter((run) => run.status === 'X').length;
		const givenUpGoing = givenUpRuns.filter((run) => going.includes(run)).length;
		checks.push({
			name: 'orphaned runs',
			passed: orphans.length === 0,
			detail:
				`${orphans.length} runs still going that the node knew of${orphans.length ? ` (${orphans.slice(0, 3).map((run) => `${run.runId} key ${run.args.key}: ${textOf(run).slice(0, 200) || 'no error'}`).join(' | ')})` : ''}; ` +
				`${givenUpRuns.length} runs given up on after the timeout: ${givenUpCancelled} cancelled, ${givenUpRuns.length - givenUpCancelled - givenUpGoing} had ended by then, ` +
				`${cancelRefused.length} still going after every cancel try was refused (their items say so); ` +
				`${unknowable.length} still going whose submission failed after being sent (no run id came back; their items say the run may have started)`,
		});

		const badErrors: string[] = [];
		for (const outcome of outcomes) {
			if (outcome.ok) continue;
			const message = errorMessage(outcome.item);
			if (!namesItsCause(message)) {
				badErrors.push(`${outcome.graph} ${outcome.node} ${outcome.key}: ${JSON.stringify(message)}`);
				continue;
			}
			const text = errorText(outcome.item);
			if (/after the request was sent/.test(text) && !/may have (started|been created)/.test(text)) {
				badErrors.push(`${outcome.graph} ${outcome.node} ${outcome.key}: ambiguous failure without "may have started": ${String(message)}`);
			}
			if (outcome.kind === 'run' || outcome.kind === 'talent') {
				const submittedRuns = runsByKey.get(outcome.submittedKey) ?? [];
				const knewIt = submittedRuns.some((run) => text.includes(run.runId));
				const talentEnded = outcome.kind === 'talent' && /^Talent \S+ ended /.test(String(message));
				if (submittedRuns.length > 0 && !knewIt && !talentEnded && !/may have started/.test(text)) {
					badErrors.push(`${outcome.graph} ${outcome.node} ${outcome.key}: its ${outcome.kind} was submitted, but the error neither names it nor says it may have started: ${String(message)}`);
				}
			}
		}
		const failedItems = outcomes.filter((o) => !o.ok);
		checks.push({
			name: 'every item succeeded or names its cause',
			passed: badErrors.length === 0 && lost.length === 0 && results.every((r) => !r.error),
			detail:
				`${outcomes.length} item outcomes: ${outcomes.length - failedItems.length} succeeded, ${failedItems.length} failed` +
				(badErrors.length ? `; ${badErrors.length} errors without a cause: ${badErrors.slice(0, 3).join(' | ')}` : '') +
				(lost.length ? `; items lost: ${lost.join('; ')}` : '') +
				results.map((r, i) => (r.error ? `; graph ${'ABC'[i]} failed as a whole: ${r.error.message}` : '')).join(''),
		});

		const shown = [...results, janitor].map(everything).join('\n') + captured.join('\n');
		const leaks = [sim.token, encodeURIComponent(sim.token)].filter((form) => shown.includes(form));
		checks.push({
			name: 'API token in no output, error or log line',
			passed: leaks.length === 0,
			detail: leaks.length ? 'the token appears in what the nodes showed or printed' : `${shown.length.toLocaleString('en')} characters of outputs, errors and logs checked`,
		});

		checks.push({ name: 'unhandled promise rejections', passed: unhandled === 0, detail: `${unhandled}` });

		const samples = new Map<string, string>();
		for (const outcome of failedItems) {
			const message = String(errorMessage(outcome.item));
			const shape = `${outcome.node}: ${message.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/g, '<id>').replace(/\d+/g, 'N')}`;
			if (!samples.has(shape)) samples.set(shape, `${outcome.node}: ${message}`);
		}

		return {
			options: { ...options, log: undefined } as Omit<SoakOptions, 'log'>,
			passed: checks.every((check) => check.passed),
			checks,
			counts: {
				items: a.items.length + b.items.length + c.items.length,
				itemOutcomes: outcomes.length,
				succeeded: outcomes.length - failedItems.length,
				failed: failedItems.length,
				runsSubmitted: runs.filter((run) => run.kind === 'workflow').length,
				talentsSubmitted: runs.filter((run) => run.kind === 'talent').length,
				runsCancelled: runs.filter((run) => run.status === 'X').length,
				sessionsCreated: sessions.length,
				requests: sim.requests.length,
				faultedRequests: sim.requests.filter((request) => request.fault).length,
			},
			faults: faultCounts,
			errorSamples: [...samples.values()].slice(0, 25),
			durationS: Math.round((Date.now() - started) / 100) / 10,
		};
	} finally {
		await sim.stop();
		await closeAllDispatchers();
		process.off('unhandledRejection', onUnhandled);
		restoreCapture();
	}
}

/** Everything a workflow run shows: items, errors with their descriptions and stacks. */
function everything(result: WorkflowRunResult): string {
	const parts: string[] = [];
	const describe = (error: unknown) => {
		if (!error || typeof error !== 'object') return String(error);
		const e = error as Record<string, unknown>;
		return JSON.stringify({ message: e.message, description: e.description, stack: e.stack, context: e.context, messages: e.messages, cause: String(e.cause ?? '') });
	};
	for (const runs of Object.values(result.nodes)) {
		for (const run of runs) {
			parts.push(JSON.stringify(run.items.map((items) => items.map((item) => ({ json: item.json, error: item.error && describe(item.error) })))));
			if (run.error) parts.push(describe(run.error.raw), JSON.stringify({ ...run.error, raw: undefined }));
		}
	}
	if (result.error) parts.push(describe(result.error.raw));
	return parts.join('\n');
}

/** Tees stdout, stderr and the console into `into`; returns the restore function. */
function captureOutput(into: string[]): () => void {
	const streams = [process.stdout, process.stderr] as const;
	const originals = streams.map((stream) => stream.write.bind(stream));
	streams.forEach((stream, i) => {
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
			return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof stream.write;
	});
	const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
	const consoleOriginals = methods.map((method) => console[method]);
	methods.forEach((method, i) => {
		console[method] = (...args: unknown[]) => {
			into.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
			consoleOriginals[i].apply(console, args);
		};
	});
	return () => {
		streams.forEach((stream, i) => {
			stream.write = originals[i] as typeof stream.write;
		});
		methods.forEach((method, i) => {
			console[method] = consoleOriginals[i];
		});
	};
}

/** The report as text lines. */
export function formatReport(report: SoakReport): string {
	const lines = [
		`Soak: ${report.counts.items} items (${report.counts.itemOutcomes} item outcomes across the nodes) in ${report.durationS} s; ` +
			`${report.counts.requests} requests, ${report.counts.faultedRequests} of them hit by a fault`,
		`faults injected: ${Object.entries(report.faults).map(([label, n]) => `${label} ×${n}`).join(', ')}`,
		`runs submitted ${report.counts.runsSubmitted}, talents ${report.counts.talentsSubmitted}, cancelled ${report.counts.runsCancelled}, sessions created ${report.counts.sessionsCreated}; ` +
			`items succeeded ${report.counts.succeeded}, failed ${report.counts.failed}`,
		'',
		'errors the items carried (one per shape):',
		...report.errorSamples.map((sample) => `  - ${sample}`),
		'',
		'checks:',
		...report.checks.map((check) => `  [${check.passed ? 'pass' : 'FAIL'}] ${check.name}: ${check.detail}`),
		'',
		report.passed ? 'soak passed' : 'soak FAILED',
	];
	return lines.join('\n');
}
