/**
 * n8n 2.x's SSRF protection holds for both editions, as for n8n's HTTP Request node: the
 * self-hosted package's own HTTP client applies n8n's egress filter, the verified edition's
 * requests go through n8n's helper, which applies it itself. With `N8N_SSRF_PROTECTION_ENABLED=true`
 * a credential pointing at loopback is refused with n8n's message and nothing reaches the service;
 * `N8N_SSRF_ALLOWED_IP_RANGES` lets it through. (n8n 1.x has no egress filter for nodes: nothing to test there.)
 */
import type { WitriumSimulator } from '../../simulator';
import { DEMO_IDS } from '../../simulator';
import { LINES, N8nUnderTest, PACKAGE, VERIFIED_PACKAGE, linearWorkflow, node, packedTarball, startSimulator, tail, verifiedTarball, witriumCredential } from './support/n8n';

const WORKFLOW_ID = 'wfE2eSsrfRun01';
const lines = LINES.filter((line) => line === '2');

const EDITIONS = [
	['self-hosted', PACKAGE, packedTarball],
	['verified', VERIFIED_PACKAGE, verifiedTarball],
] as const;

(lines.length > 0 ? describe.each(EDITIONS) : describe.skip.each(EDITIONS))('n8n 2.x with SSRF protection on, the %s edition', (_, packageName, tarball) => {
	let n8n: N8nUnderTest;
	let simulator: WitriumSimulator;

	beforeAll(async () => {
		let url: string;
		let token: string;
		({ simulator, url, token } = await startSimulator());
		n8n = await N8nUnderTest.create('2', { tarball: await tarball() });
		await n8n.importCredentials([witriumCredential(url, token)]);
		await n8n.importWorkflows([
			linearWorkflow(WORKFLOW_ID, 'e2e: Run Workflow under SSRF protection', [
				node('Run', `${packageName}.witriumRunWorkflow`, { workflowId: DEMO_IDS.loginWorkflow, browserSessionId: '' }),
			]),
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await simulator?.stop();
	});

	test('a Witrium URL on loopback is refused with n8n\'s SSRF message; nothing reaches the simulator', async () => {
		simulator.reset();
		const run = await n8n.execute(WORKFLOW_ID, { env: { N8N_SSRF_PROTECTION_ENABLED: 'true' } });
		const error = run.error('Run');
		if (!error) throw new Error(`expected the node to fail:\n${tail(run.log)}`);
		expect(error.message).toContain('The request was blocked because it resolves to a restricted IP address');
		expect(error.description).toContain('ask your n8n administrator to allowlist');
		expect(simulator.requests).toHaveLength(0);
	});

	test('N8N_SSRF_ALLOWED_IP_RANGES covering 127.0.0.1 lets the run through', async () => {
		simulator.reset();
		const run = await n8n.execute(WORKFLOW_ID, { env: { N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8' } });
		if (run.exitCode !== 0) throw new Error(`n8n execute failed (exit ${run.exitCode}):\n${tail(run.log)}`);
		expect(run.items('Run')[0]).toMatchObject({ status: 'C', statusName: 'completed' });
		expect(simulator.requests.length).toBeGreaterThan(0);
	});
});
