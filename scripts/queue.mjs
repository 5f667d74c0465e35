// n8n in queue mode on one machine: Redis, Postgres, a main and N workers sharing one user
// folder (the packed package in its .n8n/nodes), as an operator sets it up. Used by the
// queue-mode e2e suite, the queue bench and `npm start -- --queue`.
//
//   const q = await startQueueStack({ dir, tarball, credentials, workflows, activate: ids });
//   // = startQueueServices(dir) (Redis + Postgres on ports from scripts/ports.mjs), q.prepare(line, folder, imports),
//   //   q.activate(ids), then q.startMain() and q.startWorkers(2, 10)
//   q.main.baseUrl / q.workerOf(executionId) / await q.executions() / q.stopMain() / await q.stop()
//
// Plain Node ESM, node builtins only. Redis and Postgres are Debian's (installed with apt-get
// when missing). Postgres refuses to run as root, so its cluster belongs to `postgres`.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { activateWorkflows, createUserFolder, importCredentials, importWorkflows, n8nEnv, n8nPaths, reservePort, saysPortInUse, startEditor, startServerProcess } from './n8n.mjs';

const exec = promisify(execFile);
const log = (msg) => process.stderr.write(`[queue.mjs] ${msg}\n`);

function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
	const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
	return newest && fs.existsSync(path.join(root, newest, 'bin', 'pg_ctl')) ? path.join(root, newest, 'bin') : null;
}

function onPath(cmd) {
	return (process.env.PATH || '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** apt-get install redis-server / postgresql when missing (CI and a fresh machine; needs root). */
export async function ensureQueueServices() {
	const missing = [];
	if (!onPath('redis-server') && !fs.existsSync('/usr/bin/redis-server')) missing.push('redis-server');
	if (!postgresBinDir()) missing.push('postgresql');
	if (!missing.length) return;
	if (process.getuid?.() !== 0) throw new Error(`queue mode needs ${missing.join(' and ')}: apt-get install -y ${missing.join(' ')}`);
	log(`installing ${missing.join(', ')} with apt-get ...`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const apt = (args) => exec('apt-get', args, { env, maxBuffer: 64 << 20 });
	await apt(['install', '-y', '--no-install-recommends', ...missing]).catch(async () => {
		await apt(['update']);
		await apt(['install', '-y', '--no-install-recommends', ...missing]);
	});
}

/** redis-server on an allocated port; up once it logs that it accepts connections. */
async function startRedis(dir) {
	const logFile = path.join(dir, 'redis.log');
	const server = await startServerProcess({
		what: 'redis-server',
		ports: { port: reservePort },
		ready: /Ready to accept connections/,
		timeoutMs: 30000,
		spawn: ({ port }) => {
			const fd = fs.openSync(logFile, 'w');
			const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
			const child = spawn('redis-server', args, { stdio: ['ignore', fd, fd] });
			fs.closeSync(fd);
			return { child, logFile };
		},
	});
	return { port: server.ports.port, stop: () => server.stop() };
}

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

async function asPostgres(command) {
	return exec('su', ['postgres', '-s', '/bin/sh', '-c', command], { maxBuffer: 64 << 20 });
}

/** A throwaway cluster in `dir/pg/data` (owned by `postgres`), on 127.0.0.1:<free port>, database n8n. */
async function startPostgres(dir) {
	const bin = postgresBinDir();
	const home = path.join(dir, 'pg'); // logs and socket; the cluster in home/data
	const data = path.join(home, 'data');
	await fsp.chmod(dir, 0o755); // postgres must reach its folder inside our temp folder
	await fsp.mkdir(home, { recursive: true });
	await exec('chown', ['postgres:postgres', home]);
	const asRoot = process.getuid?.() === 0;
	const run = (cmd) => (asRoot ? asPostgres(cmd) : exec('/bin/sh', ['-c', cmd]));
	await run(`${shq(`${bin}/initdb`)} -D ${shq(data)} -A trust -U postgres -E UTF8 --no-sync >${shq(`${home}/initdb.log`)} 2>&1`);
	let lease;
	for (let attempt = 1; ; attempt++) {
		lease = await reservePort();
		const logFile = path.join(home, `server-${attempt}.log`);
		const options = `-p ${lease.port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`;
		try {
			await run(`${shq(`${bin}/pg_ctl`)} -D ${shq(data)} -l ${shq(logFile)} -o ${shq(options)} -w -t 60 start`);
			break;
		} catch (e) {
			lease.release();
			const text = await fsp.readFile(logFile, 'utf8').catch(() => '');
			if (!saysPortInUse(text) || attempt >= 5) throw new Error(`${e.message}\n${text}`);
			log(`postgres: port ${lease.port} was taken by another process before it could bind; retrying on another port`);
		}
	}
	const port = lease.port;
	const psql = async (sql, db = 'n8n') => {
		const { stdout } = await exec(`${bin}/psql`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
			maxBuffer: 64 << 20,
		});
		return stdout;
	};
	await psql('create database n8n', 'postgres');
	return {
		port,
		psql,
		/** Rows of a SELECT as objects. */
		async rows(sql) {
			const out = await psql(`select coalesce(json_agg(t), '[]') from (${sql}) t`);
			return JSON.parse(out);
		},
		async stop() {
			await run(`${shq(`${bin}/pg_ctl`)} -D ${shq(data)} -m immediate stop`).catch(() => undefined);
			lease.release();
		},
	};
}

/** What every n8n process of the setup shares (beyond n8nEnv's): queue mode, Redis, Postgres. */
function sharedEnv(redisPort, pgPort, extra) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		N8N_RUNNERS_ENABLED: 'true',
		...extra,
	};
}

/** `n8n worker --concurrency=N`; resolves when THIS worker logs that it is ready. */
async function startWorker(line, userFolder, env, { name, concurrency }) {
	const p = n8nPaths(line);
	const logDir = path.join(userFolder, 'logs');
	await fsp.mkdir(logDir, { recursive: true });
	const server = await startServerProcess({
		what: `n8n worker ${name}`,
		ports: { N8N_RUNNERS_BROKER_PORT: reservePort, QUEUE_HEALTH_CHECK_PORT: reservePort },
		ready: /worker is now ready/,
		timeoutMs: 120000,
		spawn: (ports, attempt) => {
			const logFile = path.join(logDir, `${Date.now()}-${name}${attempt > 1 ? `-retry${attempt}` : ''}.log`);
			const fd = fs.openSync(logFile, 'w');
			const child = spawn(p.nodeBin, [p.n8nBin, 'worker', `--concurrency=${concurrency}`], {
				cwd: userFolder,
				env: n8nEnv(userFolder, line, { ...env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) }),
				stdio: ['ignore', fd, fd],
			});
			fs.closeSync(fd);
			return { child, logFile };
		},
	});
	return {
		name,
		child: server.child,
		logFile: server.logFile,
		log: server.log,
		/** Execution ids this worker logged as started, in order. */
		executions: () => [...server.log().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]),
		async stop(signal = 'SIGTERM') {
			if (signal !== 'SIGTERM' && !server.exited()) server.child.kill(signal);
			await server.stop();
		},
	};
}

/**
 * Redis and Postgres in `dir` (a fresh folder), then the n8n processes on demand.
 * `extraEnv` goes to every n8n process (e.g. queue lock durations).
 */
export async function startQueueServices(dir, { extraEnv = {} } = {}) {
	await ensureQueueServices();
	await fsp.mkdir(dir, { recursive: true });
	const redis = await startRedis(dir);
	const postgres = await startPostgres(dir).catch(async (e) => {
		await redis.stop();
		throw e;
	});
	const env = sharedEnv(redis.port, postgres.port, extraEnv);
	let line = '2';
	let userFolder = null;
	const q = {
		dir,
		env,
		redis,
		postgres,
		main: null,
		workers: [],
		/** Runs `fn(env)` (imports with `{ env }`) against the shared database before anything starts. */
		async prepare(lineArg, folder, fn) {
			line = String(lineArg);
			userFolder = folder;
			await fn?.(env);
		},
		/** Activates workflows as the CLI does (the main must be (re)started to pick them up). */
		async activate(ids) {
			await activateWorkflows(line, userFolder, ids, { env });
		},
		/** The main (`n8n start`) on `port`, or on one from the allocator. */
		async startMain(port) {
			q.main = await startEditor(line, userFolder, port, { env, listenAddress: '127.0.0.1' });
			return q.main;
		},
		async stopMain() {
			await q.main?.stop();
			q.main = null;
		},
		/** `workerEnv` goes to these workers only (e.g. QUEUE_WORKER_MAX_STALLED_COUNT, which workers apply). */
		async startWorkers(count, concurrency = 10, workerEnv = {}) {
			const started = await Promise.all(
				Array.from({ length: count }, (_, i) =>
					startWorker(line, userFolder, { ...env, ...workerEnv }, { name: `worker${q.workers.length + i + 1}`, concurrency }),
				),
			);
			q.workers.push(...started);
			return started;
		},
		/** The worker that logged `executionId` as started (the last one, if it moved), or null. */
		workerOf(executionId) {
			const id = String(executionId);
			return [...q.workers].reverse().find((w) => w.executions().includes(id)) ?? null;
		},
		/** n8n's execution records (execution_entity), oldest first. */
		executions(where = 'true') {
			return postgres.rows(
				`select id::text as id, "workflowId", status, mode, finished, "startedAt", "stoppedAt" from execution_entity where ${where} order by id`,
			);
		},
		async stop() {
			await Promise.all([q.stopMain(), ...q.workers.map((w) => w.stop())]);
			q.workers = [];
			await postgres.stop();
			await redis.stop();
		},
	};
	return q;
}

/**
 * The whole setup in `dir` (a fresh folder): the package (`tarball`) installed in
 * `dir/n8n/.n8n/nodes`, Redis and Postgres, `credentials` and `workflows` imported, the
 * workflows with ids in `activate` activated, then the main and `workers` workers of
 * `concurrency` each. Returns the handle of startQueueServices.
 */
export async function startQueueStack({ line = '2', dir, tarball, credentials = [], workflows = [], activate = [], workers = 2, concurrency = 10, port, extraEnv }) {
	const userFolder = path.join(dir, 'n8n');
	await fsp.mkdir(userFolder, { recursive: true });
	await createUserFolder(userFolder, tarball);
	const q = await startQueueServices(dir, { extraEnv });
	try {
		await q.prepare(line, userFolder, async (env) => {
			await importCredentials(line, userFolder, credentials, { env });
			await importWorkflows(line, userFolder, workflows, { env });
		});
		await q.activate(activate);
		await Promise.all([q.startMain(port), workers > 0 ? q.startWorkers(workers, concurrency) : null]);
	} catch (e) {
		await q.stop();
		throw e;
	}
	return q;
}
