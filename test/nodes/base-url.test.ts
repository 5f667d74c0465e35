/** An API key pasted into the credential's Base URL is never shown back: not by the credential test, not by a node. */
import { runWorkflow, testCredential } from '../harness';
import { line, node, nodeError } from './helpers';

const KEY = 'wit_live_7Hq2pX9sKdQ';
const PASTED = [KEY, ` ${KEY}\n`, `wit:${KEY}`, `https//${KEY}`];

test.each(PASTED)('Base URL %j: the credential test fails without showing it', async (baseUrl) => {
	const tested = await testCredential('witriumApi', { apiToken: 'some-token', baseUrl });
	expect(tested.status).toBe('Error');
	expect(JSON.stringify(tested)).not.toContain(KEY);
});

test.each(PASTED)('Base URL %j: a node fails saying what to fix, without showing it', async (baseUrl) => {
	const result = await runWorkflow(line([node('Get', 'witriumBrowserSession', { operation: 'get', browserSessionId: 'abc' })]), {
		credentials: { witriumApi: { apiToken: 'some-token', baseUrl } },
	});
	const error = nodeError(result, 'Get');
	expect(error.message).toMatch(/^The Base URL in the Witrium API credential/);
	expect(error.message).toContain('https://api.witrium.com');
	expect(
		JSON.stringify({ message: error.message, description: (error as { description?: unknown }).description, stack: (error as { stack?: unknown }).stack }),
	).not.toContain(KEY);
});
