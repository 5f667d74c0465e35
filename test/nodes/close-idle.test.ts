/** Close Idle (the janitor): the service's clock, sessions that vanish, and closes that fail. */
import { spawn } from 'node:child_process';

import { createSessionThroughNode, output, runJanitor, useSimulator } from './helpers';

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

/** Runs one `*.tz.ts` file in a child jest on a host clock in Asia/Tokyo (UTC+9). */
function runJestEastOfUtc(file: string): Promise<{ exitCode: number | null; log: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--ci', '--testMatch', '**/*.tz.ts', '--', file], {
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
