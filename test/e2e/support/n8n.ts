/**
 * The e2e framework: one REAL n8n (a line: '2' = 2.40.7 on Node 24, '1' = 1.123.81 on
 * Node 22) with the packed package installed as n8n's community-package installer does,
 * driven through its CLI (`n8n import:*`, `n8n execute`) and its REST API (the editor's).
 *
 *   const n8n = await N8nUnderTest.create('2');           // fresh user folder
 *   await n8n.importCredentials([witriumCredential(sim)]);
 *   await n8n.importWorkflows([linearWorkflow('wfX', 'X', [node(...)])]);
 *   const run = await n8n.execute('wfX');                  // {exitCode, output, log}
 *   run.items('Node name') / run.error('Node name')
 *   const editor = await n8n.startEditor();                // n8n start; REST via n8n.session()
 *   await n8n.dispose();
 *
 * The heavy lifting is in scripts/n8n.mjs (shared with `npm start`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { WitriumSimulator } from '../../../simulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../../scripts/n8n.mjs') as N8nLib;
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export type Line = '1' | '2';

/** The lines this run covers (WITRIUM_E2E_LINES, default "2,1"; set by the global setup). */
export const LINES: Line[] = (process.env.WITRIUM_E2E_LINES || '2,1')
	.split(',')
	.map((s) => s.trim())
	.filter((s): s is Line => s === '1' || s === '2');

export const PACKAGE = 'n8n-nodes-witrium';
/** The verified (n8n Cloud) edition's package: its node types are `@witrium/n8n-nodes-witrium.<name>`. */
export const VERIFIED_PACKAGE = '@witrium/n8n-nodes-witrium';

/** Every node type the package must register (docs: /work/shared/node-interface.md). */
export const PACKAGE_NODE_TYPES = [
	'witriumRunWorkflow',
	'witriumRunTalent',
	'witriumBrowserSession',
	'witriumCancelRun',
	'witriumTrigger',
].map((name) => `${PACKAGE}.${name}`);

export const CREDENTIAL_TYPE = 'witriumApi';
export const CREDENTIAL_ID = 'witriumCredential01';
export const CREDENTIAL_NAME = 'Witrium API';

export interface RunResult {
	exitCode: number;
	/** The run n8n printed (IRun), or null when it printed none (e.g. the workflow could not start). */
	output: IRun | null;
	/** Everything n8n printed (stdout + stderr). */
	log: string;
	/**
	 * n8n sometimes dies of SIGSEGV in its own exit after printing a complete run (an n8n
	 * CLI teardown race on these machines, both lines): then this is true and `exitCode` is
	 * the one the printed run implies (0 success, 1 error).
	 */
	crashedAtExit?: boolean;
	signal?: string | null;
	/** `json` of the items `nodeName` put on `output` (0 = main, 1 = error output) of run `runIndex`. */
	items(nodeName: string, opts?: { output?: number; runIndex?: number }): Record<string, unknown>[];
	/** The error `nodeName` failed with (runData[node][runIndex].error), or null. */
	error(nodeName: string, opts?: { runIndex?: number }): NodeErrorJson | null;
}

/** What `n8n execute --rawOutput` prints (both lines): an IRun. */
export interface IRun {
	status: string; // 'success' | 'error' | ...
	finished: boolean;
	mode: string;
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			lastNodeExecuted?: string;
			error?: NodeErrorJson;
		};
	};
}
export interface TaskData {
	executionStatus?: string;
	data?: { main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown; binary?: unknown }> | null> };
	error?: NodeErrorJson;
}
export interface NodeErrorJson {
	name: string; // 'NodeApiError' | 'NodeOperationError' | ...
	message: string;
	description?: string | null;
	httpCode?: string | null;
	node?: { name: string; type: string };
	[key: string]: unknown;
}

export interface EditorHandle {
	baseUrl: string;
	port: number;
	brokerPort: number;
	logFile: string;
	startSeconds: number;
	log(): string;
	/** null while n8n runs, then how it exited. */
	exited(): { code: number | null; signal: string | null } | null;
	stop(): Promise<unknown>;
}

/** A port reserved for this process (scripts/ports.mjs) until `release()`. */
export interface PortLease {
	port: number;
	release(): void;
}

export interface RestSession {
	request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }>;
}

interface N8nLib {
	ensureN8n(line: string): Promise<unknown>;
	packPackage(): Promise<string>;
	createUserFolder(dir: string, tarball: string): Promise<string>;
	importCredentials(line: string, dir: string, creds: unknown[], opts?: { env?: Record<string, string> }): Promise<void>;
	importWorkflows(line: string, dir: string, wfs: unknown[], opts?: { env?: Record<string, string> }): Promise<void>;
	activateWorkflows(line: string, dir: string, ids: string[], opts?: { env?: Record<string, string> }): Promise<void>;
	executeWorkflow(line: string, dir: string, id: string, opts?: { env?: Record<string, string> }): Promise<{ exitCode: number; output: IRun | null; log: string; crashedAtExit?: boolean; signal?: string | null }>;
	n8nCommand(line: string, dir: string, args: string[], opts?: { allowFail?: boolean }): Promise<{ exitCode: number; log: string }>;
	startEditor(
		line: string,
		dir: string,
		port: number | undefined,
		opts?: { env?: Record<string, string>; listenAddress?: string; reserve?: () => Promise<PortLease> },
	): Promise<EditorHandle>;
	reservePort(opts?: { range?: [number, number]; dir?: string }): Promise<PortLease>;
	restSession(baseUrl: string): Promise<RestSession>;
	testCredential(baseUrl: string, cred: unknown, opts?: { session?: RestSession }): Promise<{ status: string; message: string }>;
	listNodeTypes(baseUrl: string, opts?: { session?: RestSession }): Promise<string[]>;
	listCredentialTypes(baseUrl: string, opts?: { session?: RestSession }): Promise<string[]>;
	runNodeItems(output: IRun | null, node: string, opts?: object): Record<string, unknown>[];
	runNodeError(output: IRun | null, node: string, opts?: object): NodeErrorJson | null;
	n8nPaths(line: string): { n8n: string; node: string };
	LINES: Record<string, { n8n: string; node: string }>;
}

export const n8nLib = lib;

let tarballPromise: Promise<string> | undefined;
/** The packed package: from the global setup, else built and packed once per test file. */
export function packedTarball(): Promise<string> {
	if (process.env.WITRIUM_E2E_TARBALL && fs.existsSync(process.env.WITRIUM_E2E_TARBALL)) {
		return Promise.resolve(process.env.WITRIUM_E2E_TARBALL);
	}
	tarballPromise ??= lib.packPackage();
	return tarballPromise;
}

let verifiedPromise: Promise<string> | undefined;
/** The verified edition's tarball: from the global setup (WITRIUM_E2E_VERIFIED_TARBALL), else built and packed once per test file (npm run pack:verified). */
export function verifiedTarball(): Promise<string> {
	const given = process.env.WITRIUM_E2E_VERIFIED_TARBALL;
	if (given && fs.existsSync(given)) return Promise.resolve(given);
	verifiedPromise ??= new Promise((resolve, reject) =>
		execFile(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-verified.mjs'), '--pack'], { cwd: REPO_ROOT }, (error, stdout, stderr) =>
			error ? reject(new Error(`npm run pack:verified failed: ${stderr || error.message}`)) : resolve(stdout.trim().split('\n').pop()!),
		),
	);
	return verifiedPromise;
}

/** One real n8n install (a line) with its own user folder holding the packed package. */
export class N8nUnderTest {
	readonly version: string;
	editor: EditorHandle | null = null;
	private sessionPromise: Promise<RestSession> | null = null;

	private constructor(
		readonly line: Line,
		readonly userFolder: string,
	) {
		this.version = lib.n8nPaths(line).n8n;
	}

	/** Fresh user folder in the OS temp dir with the packed package installed. */
	static async create(line: Line, opts: { tarball?: string } = {}): Promise<N8nUnderTest> {
		await lib.ensureN8n(line); // < 1 s once installed (the global setup did it)
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), `witrium-e2e-n8n${line}-`));
		await lib.createUserFolder(dir, opts.tarball ?? (await packedTarball()));
		return new N8nUnderTest(line, dir);
	}

	async importCredentials(creds: object[]): Promise<void> {
		await lib.importCredentials(this.line, this.userFolder, creds);
	}

	/** Workflows must carry an `id` (at most 21 characters: n8n ignores longer ones at run time). */
	async importWorkflows(workflows: object[]): Promise<void> {
		await lib.importWorkflows(this.line, this.userFolder, workflows);
	}

	/** Activates (2.x: publishes) saved workflows; do it before `startEditor()`, which then serves them. */
	async activate(ids: string[]): Promise<void> {
		await lib.activateWorkflows(this.line, this.userFolder, ids);
	}

	/** `n8n execute --id=<id> --rawOutput` (about 6-10 s, most of it n8n's start-up). */
	async execute(workflowId: string, opts: { env?: Record<string, string> } = {}): Promise<RunResult> {
		const r = await lib.executeWorkflow(this.line, this.userFolder, workflowId, opts);
		return {
			...r,
			items: (nodeName, o = {}) => lib.runNodeItems(r.output, nodeName, o),
			error: (nodeName, o = {}) => lib.runNodeError(r.output, nodeName, o),
		};
	}

	/** Any n8n CLI command against this user folder. */
	async command(args: string[]): Promise<{ exitCode: number; log: string }> {
		return lib.n8nCommand(this.line, this.userFolder, args, { allowFail: true });
	}

	/**
	 * `n8n start` on a port from the allocator (scripts/ports.mjs); resolves once this n8n says its
	 * editor is accessible (about 20-30 s). A port taken meanwhile by another process is retried.
	 */
	async startEditor(opts: { port?: number; env?: Record<string, string> } = {}): Promise<EditorHandle> {
		if (this.editor) return this.editor;
		this.editor = await lib.startEditor(this.line, this.userFolder, opts.port, { env: opts.env, listenAddress: '127.0.0.1' });
		return this.editor;
	}

	async stopEditor(): Promise<void> {
		const editor = this.editor;
		this.editor = null;
		this.sessionPromise = null;
		if (editor) await editor.stop();
	}

	/** The running editor; an error (with its log) once it has exited, never a request to whatever took its port. */
	requireEditor(): EditorHandle {
		if (!this.editor) throw new Error('start the editor first: await n8n.startEditor()');
		const exited = this.editor.exited();
		if (exited) throw new Error(`n8n ${this.version} exited (${exited.code ?? exited.signal}); last lines of ${this.editor.logFile}:\n${tail(this.editor.log())}`);
		return this.editor;
	}

	/** A REST session logged in as the owner (set up on first use); each request checks n8n still runs. */
	session(): Promise<RestSession> {
		const { baseUrl } = this.requireEditor();
		this.sessionPromise ??= lib.restSession(baseUrl).then((rest) => ({
			...rest,
			request: (method: string, urlPath: string, body?: unknown) => {
				this.requireEditor();
				return rest.request(method, urlPath, body);
			},
		}));
		return this.sessionPromise;
	}

	/** The credential dialog's "Test" button: {status: 'OK' | 'Error', message}. */
	async testCredential(credential: { type: string; data: object; id?: string; name?: string }) {
		return lib.testCredential(this.requireEditor().baseUrl, credential, { session: await this.session() });
	}

	async nodeTypes(): Promise<string[]> {
		return lib.listNodeTypes(this.requireEditor().baseUrl, { session: await this.session() });
	}

	async credentialTypes(): Promise<string[]> {
		return lib.listCredentialTypes(this.requireEditor().baseUrl, { session: await this.session() });
	}

	async dispose(): Promise<void> {
		await this.stopEditor();
		if (process.env.WITRIUM_E2E_KEEP) {
			process.stderr.write(`[e2e] kept n8n ${this.line}.x user folder: ${this.userFolder}\n`);
		} else {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
		}
	}
}

/**
 * Asserts n8n loaded these node types (full names, e.g. `n8n-nodes-witrium.witriumTrigger`).
 * With the editor running: from the editor's own type list (GET /types/nodes.json).
 * Otherwise: imports a workflow holding one node of each type (not connected, so none
 * runs) and executes it; n8n refuses the whole run with "Unrecognized node type" if any
 * type is missing.
 */
export async function expectNodeTypesLoaded(n8n: N8nUnderTest, types: string[]): Promise<void> {
	if (n8n.editor) {
		const known = new Set(await n8n.nodeTypes());
		const missing = types.filter((t) => !known.has(t));
		if (missing.length) {
			throw new Error(`n8n ${n8n.version} does not offer ${missing.join(', ')}\n--- editor log ---\n${tail(n8n.editor.log())}`);
		}
		return;
	}
	const id = `wfTypes${Math.random().toString(36).slice(2, 10)}`;
	await n8n.importWorkflows([
		{
			id,
			name: 'e2e: node types load',
			nodes: [
				manualTrigger(),
				node('Done', 'n8n-nodes-base.noOp', {}, { position: [220, 0] }),
				// No credentials: 2.x refuses a run that names a credential the folder lacks.
				...types.map((type, i) => node(`Type ${i}`, type, {}, { position: [220 * (i + 1), 300], credentials: undefined })),
			],
			// 2.x fails a run whose trigger leads nowhere ("No active execution found").
			connections: { Start: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		},
	]);
	const run = await n8n.execute(id);
	const unrecognized = [...run.log.matchAll(/Unrecognized node type: (\S+)/g)].map((m) => m[1]);
	if (run.exitCode !== 0 || unrecognized.length) {
		throw new Error(
			`n8n ${n8n.version} did not load ${[...new Set(unrecognized)].join(', ') || 'the node types'} (exit ${run.exitCode})\n--- n8n log ---\n${tail(run.log)}`,
		);
	}
}

export function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------
// Workflow and credential JSON builders

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

let nodeCounter = 0;

/** A node; `credentials` defaults to the Witrium credential for the package's types. */
export function node(
	name: string,
	type: string,
	parameters: Record<string, unknown> = {},
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	nodeCounter += 1;
	return {
		id: `node-${nodeCounter}`,
		name,
		type,
		typeVersion: 1,
		position: [220 * nodeCounter, 0],
		parameters,
		...(type.startsWith(`${PACKAGE}.`) || type.startsWith(`${VERIFIED_PACKAGE}.`) ? { credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } } } : {}),
		...extra,
	};
}

export function manualTrigger(name = 'Start'): WorkflowNode {
	return node(name, 'n8n-nodes-base.manualTrigger', {}, { position: [0, 0] });
}

/** Manual Trigger → nodes[0] → nodes[1] → ... (main output 0 into input 0). */
export function linearWorkflow(id: string, name: string, nodes: WorkflowNode[], settings: object = {}): object {
	const all = [manualTrigger(), ...nodes];
	const connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }> = {};
	for (let i = 0; i + 1 < all.length; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, nodes: all, connections, settings: { executionOrder: 'v1', ...settings } };
}

/** The package's credential pointing at a base URL (the simulator's by default). */
export function witriumCredential(
	baseUrl: string,
	apiToken: string,
	{ id = CREDENTIAL_ID, name = CREDENTIAL_NAME } = {},
): { id: string; name: string; type: string; data: { apiToken: string; baseUrl: string } } {
	return { id, name, type: CREDENTIAL_TYPE, data: { apiToken, baseUrl } };
}

/** Starts the simulator in this process (real HTTP on 127.0.0.1, random port) with the demo data. */
export async function startSimulator(): Promise<{ simulator: WitriumSimulator; url: string; token: string }> {
	const { WitriumSimulator, demoData } = await import('../../../simulator');
	const simulator = new WitriumSimulator();
	simulator.define(demoData());
	const url = await simulator.start(0, '127.0.0.1');
	return { simulator, url, token: simulator.token };
}
