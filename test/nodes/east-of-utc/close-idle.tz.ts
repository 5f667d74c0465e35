/**
 * Run by close-idle.test.ts in a child jest with TZ=Asia/Tokyo (the `*.tz.ts` files are not in
 * the main run): Close Idle reads a timestamp without a zone offset as UTC, not as the host's time.
 */
import { createSessionThroughNode, output, runJanitor, useSimulator } from '../helpers';

const { sim, credentials } = useSimulator();

const janitor = (idleMinutes: number) => runJanitor(credentials, idleMinutes);
const createSession = () => createSessionThroughNode(credentials);

beforeAll(() => expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(-9 * 60));

test('a session just used is not idle', async () => {
	const sessionId = await createSession();
	sim.setTimestampStyle('naive');
	const result = await janitor(15);
	expect(output(result, 'Janitor')).toHaveLength(0);
	expect(sim.sessions().find((session) => session.sessionId === sessionId)?.status).toBe('active');
});

test('a session idle long enough is still closed', async () => {
	const sessionId = await createSession();
	sim.setTimestampStyle('naive');
	await new Promise((resolve) => setTimeout(resolve, 50));
	const result = await janitor(0.0005); // 30 ms
	expect(output(result, 'Janitor').map((item) => item.json)).toEqual([{ browserSessionId: sessionId, closed: true, status: 'closed', message: expect.any(String) }]);
});
