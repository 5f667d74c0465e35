/** Close Idle (the janitor): the service's clock, sessions that vanish, and closes that fail. */
import { spawn } from 'node:child_process';

import { EDITION } from '../client/edition';
import { recordingServer } from '../client/helpers';
import { runWorkflow } from '../harness';
import { createSessionThroughNode, line, node, output, runJanitor, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

const janitor = (idleMinutes: number) => runJanitor(credentials, idleMinutes);
const createSession = () => createSessionThroughNode(credentials);

test('on a host east of UTC, a session just used is not idle: timestamps without a zone offset are UTC', async () => {
	// n8n-core and the simulator run in a child jest whose process has TZ set: a test cannot move its own zone.
	const child = await runJestEastOfUtc('test/nodes/east-of-utc/close-idle.tz.ts');
	expect(child.log).toMatch(/Tests:\s+2 passed, 2 total/);
	expect(child.exitCode).toBe(0);
}, 60_000);

test('a session gone (404) between the listing and its close is skipped; the others are closed', async () => {
	const [gone, other] = [await createSession(), await createSession()];
	sim.injectFault({ endpoint: 'closeSession', kind: 'status', status: 404, detail: `Browser session ${gone} not found` });
	const result = await janitor(0);
	expect(result.nodes.Janitor[0].error).toBeUndefined();
	expect(output(result, 'Janitor').map((item) => item.json.browserSessionId)).toEqual([other]);
});

test('a close that fails loses no close already made: every idle session gets its item, the failed one closed: false', async () => {
	const [first, broken, last] = [await createSession(), await createSession(), await createSession()];
	// the first close goes through untouched (a zero delay), the second is refused, the third goes through
	sim.injectFault({ endpoint: 'closeSession', kind: 'delay', delayMs: 0 });
	sim.injectFault({ endpoint: 'closeSession', kind: 'status', status: 400, detail: 'Browser provider unavailable' });
	const result = await janitor(0);
	expect(result.nodes.Janitor[0].error).toBeUndefined();
	expect(output(result, 'Janitor').map((item) => item.json)).toEqual([
		{ browserSessionId: first, closed: true, status: 'closed', message: expect.any(String) },
		{ browserSessionId: broken, closed: false, status: null, message: expect.stringContaining('Browser provider unavailable') },
		{ browserSessionId: last, closed: true, status: 'closed', message: expect.any(String) },
	]);
	expect(sim.sessions().map((session) => session.status)).toEqual(['closed', 'active', 'closed']);
});

test('timestamps with a short "+00" offset (2026-01-05 10:00:00+00, as PostgreSQL prints them) are read', async () => {
	const used = await createSession();
	sim.setTimestampStyle('postgres');
	expect(output(await janitor(15), 'Janitor')).toHaveLength(0);
	await new Promise((resolve) => setTimeout(resolve, 50));
	const result = await janitor(0.0005); // 30 ms
	expect(output(result, 'Janitor').map((item) => item.json.browserSessionId)).toEqual([used]);
	expect(sim.sessions().map((session) => session.status)).toEqual(['closed']);
});

test('a session Witrium manages itself (user_managed false) is never closed; the idle ones the user made are', async () => {
	const longAgo = '2026-01-01T00:00:00Z';
	const session = (uuid: string, userManaged: boolean | undefined) => ({
		uuid,
		provider: 'omega',
		status: 'active',
		is_busy: false,
		...(userManaged === undefined ? {} : { user_managed: userManaged }),
		current_run_type: null,
		current_run_id: null,
		created_at: longAgo,
		started_at: longAgo,
		last_activity_at: longAgo,
		proxy_country: null,
		proxy_city: null,
	});
	const server = await recordingServer((req, res) => {
		res.setHeader('content-type', 'application/json');
		if (req.method === 'GET') {
			const sessions = [session('witrium-managed', false), session('made-by-user', true), session('older-service', undefined)];
			res.end(JSON.stringify({ sessions, total_count: sessions.length }));
		} else res.end(JSON.stringify({ status: 'closed', message: 'Browser session closed' }));
	});
	try {
		const result = await runWorkflow(line([node('Janitor', 'witriumBrowserSession', { operation: 'closeIdle', idleMinutes: 15 })]), {
			credentials: { witriumApi: { apiToken: 'any-token', baseUrl: server.url } },
		});
		expect(output(result, 'Janitor').map((item) => item.json.browserSessionId)).toEqual(['made-by-user', 'older-service']);
		expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
			'GET /v1/browser-sessions',
			'POST /v1/browser-sessions/made-by-user',
			'POST /v1/browser-sessions/older-service',
		]);
	} finally {
		await server.close();
	}
});

test('a listed session without its uuid fails the janitor clearly; nothing is closed', async () => {
	const server = await recordingServer((req, res) => {
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ sessions: [{ status: 'active', is_busy: false, last_activity_at: '2026-01-01T00:00:00Z' }], total_count: 1 }));
	});
	try {
		const result = await runWorkflow(line([node('Janitor', 'witriumBrowserSession', { operation: 'closeIdle', idleMinutes: 15 })]), {
			credentials: { witriumApi: { apiToken: 'any-token', baseUrl: server.url } },
		});
		expect(result.nodes.Janitor[0].error?.message).toBe(
			'Witrium API returned an invalid response on GET /v1/browser-sessions: session 1 of the list has no uuid',
		);
		expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /v1/browser-sessions']);
	} finally {
		await server.close();
	}
});

/** Runs one `*.tz.ts` file in a child jest on a host clock in Asia/Tokyo (UTC+9). */
function runJestEastOfUtc(file: string): Promise<{ exitCode: number | null; log: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--ci', '--selectProjects', EDITION, '--testMatch', '**/*.tz.ts', '--', file], {
			env: { ...process.env, TZ: 'Asia/Tokyo' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let log = '';
		child.stdout.on('data', (chunk) => (log += chunk));
		child.stderr.on('data', (chunk) => (log += chunk));
		child.on('error', reject);
		child.on('close', (exitCode) => resolve({ exitCode, log }));
	});
}
