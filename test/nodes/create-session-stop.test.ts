/** Stopping the execution while Create Session waits for Witrium leaves no browser open. */
import { runWorkflow } from '../harness';
import { line, node, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();

test('stopping the execution during Create Session closes the session that came back', async () => {
	sim.injectFault({ endpoint: 'createSession', kind: 'delay', delayMs: 1000 });
	const abort = new AbortController();
	const pending = runWorkflow(line([node('Create', 'witriumBrowserSession', { operation: 'create' })]), { credentials: credentials(), signal: abort.signal });
	while (!sim.requests.some((request) => request.endpoint === 'createSession')) await new Promise((resolve) => setTimeout(resolve, 10));
	abort.abort();
	const result = await pending;
	expect(result.cancellation).toBeDefined();
	const deadline = Date.now() + 4000;
	while (sim.sessions()[0]?.status !== 'closed' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
	expect(sim.sessions().map((session) => session.status)).toEqual(['closed']);
	const close = sim.requests.find((request) => request.endpoint === 'closeSession');
	expect(close?.body).toEqual({ force: true });
});
