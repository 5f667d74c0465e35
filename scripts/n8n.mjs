#!/usr/bin/env node
// Run this package in a REAL n8n: install n8n (and the Node it needs) into a cache,
// pack the package, install it into an n8n user folder as n8n's community-package
// installer does, import credentials/workflows, execute workflows, start the editor,
// and test a credential over n8n's REST API.
//
// Plain Node ESM, node builtins only. The CLI (`node scripts/n8n.mjs help`), and the library
// (tests and scripts/start.mjs import from here) re-exported from its parts in scripts/n8n/.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { n8nPaths } from './n8n/paths.mjs';
import { fmtSecs, log } from './n8n/process.mjs';
import { ensureN8n } from './n8n/install.mjs';
import { createUserFolder, packPackage } from './n8n/package.mjs';
import { executeWorkflow, importCredentials, importWorkflows, n8nCommand } from './n8n/commands.mjs';
import { startEditor } from './n8n/editor.mjs';
import { testCredential } from './n8n/rest.mjs';

export { REPO_ROOT, PACKAGE_NAME, LINES, TEST_ENCRYPTION_KEY, OWNER, cacheDir, n8nPaths } from './n8n/paths.mjs';
export { run } from './n8n/process.mjs';
export { ensureN8n } from './n8n/install.mjs';
export { packPackage, createUserFolder } from './n8n/package.mjs';
export { n8nEnv, freePort, n8nCommand, importCredentials, importWorkflows, activateWorkflows, parseExecuteOutput, executeWorkflow, runNodeItems, runNodeError } from './n8n/commands.mjs';
export { startEditor } from './n8n/editor.mjs';
export { startServerProcess } from './n8n/server.mjs';
export { reservePort, saysPortInUse } from './ports.mjs';
export { restSession, testCredential, listNodeTypes, listCredentialTypes } from './n8n/rest.mjs';

// ---------------------------------------------------------------------------------------
// CLI

const HELP = `Usage: node scripts/n8n.mjs <command> [--n8n 2|1] ...
  ensure                       install n8n + its Node into the cache (once; then < 1 s)
  paths                        print where the line's Node and n8n live (JSON)
  pack                         npm run build + npm pack; prints the tarball path
  user-folder <dir> [tarball]  install the (packed) package into <dir>/.n8n/nodes
  import-credentials <dir> <file.json>   (an array of {id,name,type,data})
  import-workflows <dir> <file.json>...  (workflow JSONs, each with an id, or arrays)
  execute <dir> <workflowId>   run it; prints the run JSON; exit code as n8n's
  editor <dir> [port]          n8n start (Ctrl-C stops it)
  test-credential <baseUrl> <file.json>  ({type, data}) -> {status, message}
  exec <dir> -- <n8n args...>  any n8n CLI command with the right Node and env
Env: WITRIUM_N8N_CACHE (default ~/.cache/n8n-nodes-witrium)`;

async function cli(argv) {
	let line = '2';
	const args = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--n8n') line = argv[++i];
		else if (argv[i].startsWith('--n8n=')) line = argv[i].slice(6);
		else args.push(argv[i]);
	}
	const [cmd, ...rest] = args;
	const readArray = async (f) => {
		const v = JSON.parse(await fsp.readFile(f, 'utf8'));
		return Array.isArray(v) ? v : [v];
	};
	switch (cmd) {
		case 'ensure': {
			const t0 = Date.now();
			const p = await ensureN8n(line);
			log(`n8n ${p.n8n} on Node ${p.node} ready (${fmtSecs(Date.now() - t0)})`);
			return 0;
		}
		case 'paths':
			console.log(JSON.stringify(n8nPaths(line), null, 2));
			return 0;
		case 'pack':
			console.log(await packPackage());
			return 0;
		case 'user-folder': {
			const [dir, tarball] = rest;
			if (!dir) throw new Error('user-folder <dir> [tarball]');
			await createUserFolder(path.resolve(dir), tarball || (await packPackage()));
			console.log(path.resolve(dir));
			return 0;
		}
		case 'import-credentials':
			await ensureN8n(line);
			await importCredentials(line, path.resolve(rest[0]), await readArray(rest[1]));
			return 0;
		case 'import-workflows': {
			await ensureN8n(line);
			const wfs = [];
			for (const f of rest.slice(1)) wfs.push(...(await readArray(f)));
			await importWorkflows(line, path.resolve(rest[0]), wfs);
			return 0;
		}
		case 'execute': {
			await ensureN8n(line);
			const r = await executeWorkflow(line, path.resolve(rest[0]), rest[1]);
			if (r.output) console.log(JSON.stringify(r.output, null, 2));
			else process.stderr.write(r.log);
			return r.exitCode;
		}
		case 'editor': {
			await ensureN8n(line);
			const h = await startEditor(line, path.resolve(rest[0]), Number(rest[1] || 5678));
			log(`n8n ${n8nPaths(line).n8n} at http://localhost:${h.port} (log: ${h.logFile}); Ctrl-C stops it`);
			await new Promise((resolve) => {
				process.once('SIGINT', resolve);
				process.once('SIGTERM', resolve);
				h.child.once('exit', resolve);
			});
			await h.stop();
			return 0;
		}
		case 'test-credential': {
			const cred = JSON.parse(await fsp.readFile(rest[1], 'utf8'));
			console.log(JSON.stringify(await testCredential(rest[0], cred)));
			return 0;
		}
		case 'exec': {
			await ensureN8n(line);
			const sep = rest.indexOf('--');
			const r = await n8nCommand(line, path.resolve(rest[0]), rest.slice(sep >= 0 ? sep + 1 : 1), { allowFail: true });
			process.stdout.write(r.log);
			return r.exitCode;
		}
		default:
			console.log(HELP);
			return cmd && cmd !== 'help' ? 2 : 0;
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	cli(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(err) => {
			console.error(err?.stack || String(err));
			process.exit(1);
		},
	);
}
