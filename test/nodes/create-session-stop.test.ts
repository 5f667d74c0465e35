/** Stopping the execution while Create Session waits for Witrium leaves no browser open. */
import { runWorkflow } from '../harness';
import { line, node, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

test('stopping the execution during Create Session closes the session that came back', async () => {
	sim.injectFault({ endpoint: 'createSession', kind: 'delay', delayMs: 1000 });
	const abort = new AbortController();
	const pending = runWorkflow(line([node('Create', 'witriumBrowserSession', { operation: 'create' })]), { credentials: credentials(), signal: abort.signal });
	await sim.until(() => sim.requests.some((request) => request.endpoint === 'createSession'));
	abort.abort();
	const result = await pending;
	expect(result.cancellation).toBeDefined();
	// The session comes back after the stop (the answer was delayed); the node then closes it.
	await sim.until(() => sim.sessions()[0]?.status === 'closed');
	expect(sim.sessions().map((session) => session.status)).toEqual(['closed']);
	const close = sim.requests.find((request) => request.endpoint === 'closeSession');
	expect(close?.body).toEqual({ force: true });
});
