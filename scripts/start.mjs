#!/usr/bin/env node
// `npm start`: the package in a real n8n, ready to click through.
//
//   npm start                      n8n 2.x (2.40.7 on Node 24)
//   npm start -- --n8n 1           n8n 1.x (1.123.81 on Node 22)
//   npm start -- --port 5679       another editor port (default 5678, or N8N_PORT)
//   npm start -- --fresh           throw away the dev n8n's data (workflows, executions, login)
//   npm start -- --queue           queue mode: Redis, Postgres, the main and two workers (n8n 2.x;
//                                  fresh each time, in a temp folder removed on Ctrl-C)
//
// It installs n8n into the cache once (minutes; later runs reuse it), builds and packs the
// package, installs it into a dev user folder as n8n's community-package installer does,
// starts the Witrium simulator with demo data on 127.0.0.1:8787 (unless WITRIUM_API_TOKEN
// is set: then the credential points at https://api.witrium.com or WITRIUM_BASE_URL),
// imports a ready "Witrium API" credential and the examples/*.json workflows, activates the
// MCP server example (with a bearer token credential for MCP clients), starts the editor,
// sets up the owner login and prints what to open. Ctrl-C stops everything.
// With --queue, scripts/queue.mjs sets up the same in queue mode.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
	OWNER,
	activateWorkflows,
	REPO_ROOT,
	cacheDir,
	createUserFolder,
	ensureN8n,
	importCredentials,
	importWorkflows,
	packPackage,
	restSession,
	startEditor,
} from './n8n.mjs';
import { ensureDependencies } from './dependencies.mjs';
import { startQueueStack } from './queue.mjs';

const CREDENTIAL_ID = 'witriumCredential01';
const CREDENTIAL_NAME = 'Witrium API';
const CREDENTIAL_TYPE = 'witriumApi';
const SIMULATOR_TOKEN_DEFAULT = 'sim_demo_token';
/** The token MCP clients send to the MCP server example (its "Witrium MCP client token" credential). */
const MCP_CREDENTIAL = { id: 'witriumMcpToken01', name: 'Witrium MCP client token', type: 'httpBearerAuth', data: { token: 'mcp_demo_token' } };
const MCP_TRIGGER = '@n8n/n8n-nodes-langchain.mcpTrigger';

/** The MCP Server Trigger of a workflow, if it has one: such a workflow serves only while active. */
const mcpTriggerOf = (workflow) => workflow.nodes?.find((node) => node.type === MCP_TRIGGER);

function parseArgs(argv) {
	const opts = { line: '2', port: Number(process.env.N8N_PORT || 5678), fresh: false, queue: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
		if (a === '--n8n' || a.startsWith('--n8n=')) opts.line = String(value());
		else if (a === '--port' || a.startsWith('--port=')) opts.port = Number(value());
		else if (a === '--fresh') opts.fresh = true;
		else if (a === '--queue') opts.queue = true;
		else if (a === '-h' || a === '--help') opts.help = true;
		else throw new Error(`Unknown option ${a} (try --help)`);
	}
	if (!['1', '2'].includes(opts.line)) throw new Error(`--n8n must be 1 or 2, not ${opts.line}`);
	if (opts.queue && opts.line !== '2') throw new Error('--queue runs n8n 2.x (the line it is tested with)');
	return opts;
}

function say(msg = '') {
	process.stdout.write(`${msg}\n`);
}

async function portFree(port, host = '0.0.0.0') {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, host, () => srv.close(() => resolve(true)));
	});
}

const hash = (value) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** examples/*.json with every Witrium credential reference pointed at the dev credential. */
async function exampleWorkflows() {
	const dir = path.join(REPO_ROOT, 'examples');
	const files = fs.existsSync(dir) ? (await fsp.readdir(dir)).filter((f) => f.endsWith('.json')).sort() : [];
	const workflows = [];
	for (const file of files) {
		const parsed = JSON.parse(await fsp.readFile(path.join(dir, file), 'utf8'));
		for (const wf of Array.isArray(parsed) ? parsed : [parsed]) {
			if (!wf.id) wf.id = `ex${hash(file).slice(0, 14)}`;
			for (const node of wf.nodes ?? []) {
				if (node.credentials?.[CREDENTIAL_TYPE]) {
					node.credentials[CREDENTIAL_TYPE] = { id: CREDENTIAL_ID, name: CREDENTIAL_NAME };
				}
			}
			workflows.push({ file, workflow: wf });
		}
	}
	return workflows;
}

async function startSimulator(token, port) {
	// Built by packPackage() (npm run build) into dist/.
	const require = createRequire(import.meta.url);
	const { WitriumSimulator, demoData, DEMO_IDS } = require(path.join(REPO_ROOT, 'dist', 'simulator', 'index.js'));
	const simulator = new WitriumSimulator({ token });
	simulator.define(demoData());
	const url = await simulator.start(port, '127.0.0.1');
	return { simulator, url, demoIds: DEMO_IDS };
}

/**
 * Imports (each is an n8n process, ~5 s): only what changed since the last start, so
 * edits made in the editor survive restarts unless the repo's example changed.
 */
async function importChanged(line, userFolder, credentials, examples) {
	const stateFile = path.join(userFolder, 'witrium-dev-imports.json');
	const state = JSON.parse(await fsp.readFile(stateFile, 'utf8').catch(() => '{}'));
	if (state.credential !== hash(credentials)) {
		say(`Importing the credentials ${credentials.map((c) => `"${c.name}"`).join(', ')} ...`);
		await importCredentials(line, userFolder, credentials);
		state.credential = hash(credentials);
	}
	state.workflows ??= {};
	const changed = examples.filter(({ workflow }) => state.workflows[workflow.id] !== hash(workflow));
	if (changed.length) {
		say(`Importing ${changed.length} example workflow(s) ...`);
		await importWorkflows(line, userFolder, changed.map((e) => e.workflow));
		// An import leaves a workflow inactive; the MCP server is activated once, after its import.
		const serving = changed.filter(({ workflow }) => mcpTriggerOf(workflow)).map(({ workflow }) => workflow.id);
		if (serving.length) {
			say(`Activating ${serving.length} MCP server workflow(s) ...`);
			for (const id of serving) await activateWorkflows(line, userFolder, [id]);
		}
		for (const { workflow } of changed) state.workflows[workflow.id] = hash(workflow);
	}
	await fsp.writeFile(stateFile, JSON.stringify(state, null, 2));
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	if (opts.help) {
		say(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 18).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
		return 0;
	}
	const t0 = Date.now();
	const useRealService = Boolean(process.env.WITRIUM_API_TOKEN);
	const simPort = Number(process.env.WITRIUM_SIMULATOR_PORT || 8787);

	// Fail early on busy ports, before minutes of work.
	if (!(await portFree(opts.port))) {
		throw new Error(`Port ${opts.port} is busy (another n8n?). Stop it or use: npm start -- --port <n>`);
	}
	if (!useRealService && !(await portFree(simPort, '127.0.0.1'))) {
		throw new Error(`Port ${simPort} (the simulator) is busy. Stop what uses it or set WITRIUM_SIMULATOR_PORT.`);
	}

	// n8n's install first: it says what the machine lacks before any download.
	const paths = await ensureN8n(opts.line);
	ensureDependencies();
	const userFolder = path.join(cacheDir(), `dev-n8n${opts.line}`);
	if (opts.fresh) await fsp.rm(userFolder, { recursive: true, force: true });
	say(`Building and packing ${path.basename(REPO_ROOT)} ...`);
	const tarball = await packPackage();

	// The service the credential points at.
	let simulator = null;
	let credentialData;
	let serviceLine;
	let demoIds = null;
	if (useRealService) {
		const baseUrl = process.env.WITRIUM_BASE_URL || 'https://api.witrium.com';
		credentialData = { apiToken: process.env.WITRIUM_API_TOKEN, baseUrl };
		serviceLine = `the real Witrium API at ${baseUrl} (token from WITRIUM_API_TOKEN)`;
	} else {
		const token = process.env.WITRIUM_SIMULATOR_TOKEN || SIMULATOR_TOKEN_DEFAULT;
		const started = await startSimulator(token, simPort);
		simulator = started.simulator;
		demoIds = started.demoIds;
		credentialData = { apiToken: token, baseUrl: started.url };
		serviceLine = `the Witrium simulator (demo data) at ${started.url}, token ${token}`;
	}

	const credentials = [{ id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data: credentialData }, MCP_CREDENTIAL];
	const examples = await exampleWorkflows();
	let editor;
	let queue = null;
	let dataLine = `${userFolder} (npm start -- --fresh to start over)`;
	if (opts.queue) {
		const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'witrium-dev-queue-'));
		say(`Starting Redis, Postgres, n8n ${paths.n8n}'s main and two workers (queue mode) in ${dir} ...`);
		queue = await startQueueStack({
			line: opts.line,
			dir,
			tarball,
			credentials,
			workflows: examples.map((e) => e.workflow),
			activate: examples.filter(({ workflow }) => mcpTriggerOf(workflow)).map(({ workflow }) => workflow.id),
			port: opts.port,
		});
		editor = queue.main;
		dataLine = `${dir} (queue mode: Redis ${queue.env.QUEUE_BULL_REDIS_PORT}, Postgres ${queue.postgres.port}; removed on Ctrl-C)`;
		for (const w of queue.workers) dataLine += `\n  ${w.name} log     ${w.logFile}`;
	} else {
		await createUserFolder(userFolder, tarball);
		await importChanged(opts.line, userFolder, credentials, examples);
		say(`Starting n8n ${paths.n8n} (Node ${paths.node}) ...`);
		editor = await startEditor(opts.line, userFolder, opts.port);
	}
	await fsp.rm(path.dirname(tarball), { recursive: true, force: true });
	// n8n always has user management: set up the owner once (later starts just log in).
	await restSession(editor.baseUrl, OWNER);

	const url = `http://localhost:${opts.port}`;
	say('');
	say(`n8n ${paths.n8n} is ready (${((Date.now() - t0) / 1000).toFixed(0)} s):  ${url}`);
	say(`  Log in with     ${OWNER.email}  /  ${OWNER.password}`);
	say(`  Credential      "${CREDENTIAL_NAME}" -> ${serviceLine}`);
	if (examples.length) {
		say('  Workflows       (Overview in the editor)');
		for (const { workflow } of examples) say(`    ${workflow.name}   ${url}/workflow/${workflow.id}`);
	}
	for (const { workflow } of examples) {
		const trigger = mcpTriggerOf(workflow);
		if (trigger) say(`  MCP server      ${url}/mcp/${trigger.parameters.path}   (header  Authorization: Bearer ${MCP_CREDENTIAL.data.token})`);
	}
	if (demoIds) {
		say('  Demo ids        ' + Object.entries(demoIds).map(([k, v]) => `${k}=${v}`).join('\n                  '));
	}
	say(`  n8n log         ${editor.logFile}`);
	say(`  Data            ${dataLine}`);
	say('Ctrl-C stops n8n and the simulator.');

	let stopping = false;
	const stop = async (why) => {
		if (stopping) return;
		stopping = true;
		say(`\nStopping (${why}) ...`);
		if (queue) {
			await queue.stop();
			await fsp.rm(queue.dir, { recursive: true, force: true });
		} else await editor.stop();
		if (simulator) await simulator.stop();
	};
	const code = await new Promise((resolve) => {
		process.once('SIGINT', () => stop('Ctrl-C').then(() => resolve(0)));
		process.once('SIGTERM', () => stop('SIGTERM').then(() => resolve(0)));
		editor.child.once('exit', (c, sig) => {
			if (stopping) return;
			say(`\nn8n exited (${c ?? sig}); last lines of ${editor.logFile}:\n${editor.log().split('\n').slice(-20).join('\n')}`);
			stop('n8n exited').then(() => resolve(c || 1));
		});
	});
	return code;
}

main().then(
	(code) => process.exit(code),
	(err) => {
		console.error(`npm start failed: ${err?.message || err}`);
		process.exit(1);
	},
);
