/**
 * n8n's SSRF protection (n8n 2.x's egress filter, from n8n-core through the harness) holds for
 * every request the nodes make: a refused address fails with n8n's own message and nothing is
 * sent; an address the administrator allows goes through.
 */
import { Container } from '@n8n/di';

import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
const QUICK = 'cdcdcdcd-0000-4000-8000-000000000001';
const ENV = ['N8N_SSRF_PROTECTION_ENABLED', 'N8N_SSRF_ALLOWED_IP_RANGES'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

beforeAll(() => sim.define({ workflows: [{ id: QUICK, startDelayMs: 0, steps: [{ instruction: 'x', durationMs: 20 }], result: { ok: true } }] }));
afterEach(() => Container.reset());
afterAll(() => {
	for (const name of ENV) {
		if (saved[name] === undefined) delete process.env[name];
		else process.env[name] = saved[name];
	}
});

/** n8n reads its SSRF settings when its services are first built, so they are rebuilt per setting. */
function ssrfSettings(settings: Partial<Record<(typeof ENV)[number], string>>) {
	Container.reset();
	for (const name of ENV) {
		if (settings[name] === undefined) delete process.env[name];
		else process.env[name] = settings[name];
	}
}

test.each([
	['Run Workflow', node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '' })],
	['Browser Session', node('Run', 'witriumBrowserSession', { operation: 'getAll', returnAll: true })],
	['Cancel Run', node('Run', 'witriumCancelRun', { runId: QUICK })],
	['Run Talent', node('Run', 'witriumRunTalent', { talentId: QUICK, browserSessionId: '' })],
])('with SSRF protection on, %s is refused a loopback Witrium URL with n8n\'s message, and sends nothing', async (_, witriumNode) => {
	ssrfSettings({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
	const result = await runWorkflow(line([witriumNode]), { credentials: credentials() });
	const error = nodeError(result, 'Run');
	expect(error.message).toContain('The request was blocked because it resolves to a restricted IP address');
	expect(error.message).toContain('nothing was sent');
	expect(error.description).toContain('ask your n8n administrator to allowlist');
	expect(sim.requests).toHaveLength(0);
});

test('an allowed IP range lets the request through', async () => {
	ssrfSettings({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32' });
	const result = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '' })]), { credentials: credentials() });
	expect(output(result, 'Run')[0].json).toMatchObject({ status: 'C' });
});

test('with SSRF protection off (n8n\'s default) loopback is reached as before', async () => {
	ssrfSettings({});
	const result = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: QUICK, browserSessionId: '' })]), { credentials: credentials() });
	expect(output(result, 'Run')[0].json).toMatchObject({ status: 'C' });
});
