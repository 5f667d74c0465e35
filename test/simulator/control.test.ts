/** The /__simulator/ control surface, the demo data, the CLI's options, and start/stop hygiene. */
import { banner, parseCliOptions } from '../../simulator/cli';
import { DEMO_IDS, DEMO_LOGIN_STATE, WitriumSimulator, demoData } from '../../simulator/index';
import { callerFor, sleep, startSimulator, waitForStatus } from './helpers';

describe('HTTP control surface', () => {
	let sim: WitriumSimulator;
	const control = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${sim.url}/__simulator/${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: res.status, json: (await res.json()) as any };
	};

	beforeAll(async () => {
		({ sim } = await startSimulator());
	});
	afterAll(() => sim.stop());

	test('timestamps: naive drops the zone offset of every timestamp, reset goes back to UTC', async () => {
		const call = callerFor(sim);
		const session = (await call('POST', '/v1/browser-sessions')).json;
		expect(session.created_at).toMatch(/Z$/);
		expect(await control('POST', 'timestamps', { style: 'naive' })).toEqual({ status: 200, json: { ok: true } });
		const naive = (await call('GET', `/v1/browser-sessions/${session.uuid}`)).json;
		expect(naive.created_at).toBe(session.created_at.slice(0, -1));
		expect(naive.last_activity_at).toMatch(/T\d\d:\d\d:\d\d\.\d{3}$/);
		expect((await control('POST', 'timestamps', { style: 'local' })).status).toBe(400);
		await control('POST', 'reset');
		expect((await call('POST', '/v1/browser-sessions')).json.created_at).toMatch(/Z$/);
		await control('POST', 'reset');
	});

	test('drives the simulator like its methods do, without a token and without being logged', async () => {
		const call = callerFor(sim);
		const definitions = {
			workflows: [{ id: 'wf', startDelayMs: 5, steps: [{ instruction: 'Go', durationMs: 10 }], result: { n: 1 } }],
			talents: [{ id: 't', durationMs: 5 }],
		};
		expect(await control('POST', 'definitions', definitions)).toEqual({ status: 200, json: { ok: true } });

		expect((await control('POST', 'faults', { endpoint: 'runWorkflow', kind: 'status', status: 500 })).status).toBe(200);
		expect((await call('POST', '/v1/workflows/wf/run')).status).toBe(500);
		await control('POST', 'faults', { endpoint: 'runWorkflow', kind: 'status', status: 500 });
		expect((await control('DELETE', 'faults')).status).toBe(200);

		const session = (await call('POST', '/v1/browser-sessions')).json.uuid;
		const runId = (await call('POST', '/v1/workflows/wf/run', { browser_session_id: session, preserve_state: 's' })).json
			.run_id;
		await waitForStatus(call, runId, ['C']);
		await call('POST', '/v1/talents/t/run');

		const requests = (await control('GET', 'requests')).json;
		expect(requests.map((entry: { endpoint: string; status: number }) => [entry.endpoint, entry.status])).toEqual([
			['runWorkflow', 500],
			['createSession', 200],
			['runWorkflow', 200],
			...Array(requests.length - 4).fill(['getResults', 200]),
			['runTalent', 200],
		]);
		expect((await control('GET', 'runs')).json).toEqual(JSON.parse(JSON.stringify(sim.runs())));
		expect((await control('GET', 'sessions')).json).toEqual([expect.objectContaining({ sessionId: session, states: ['s'] })]);
		expect((await control('GET', 'states')).json).toEqual([expect.objectContaining({ name: 's', savedBy: runId })]);
		expect((await control('GET', 'stats')).json).toEqual({ runCounts: { wf: 1, t: 1 }, maxConcurrentRuns: 1 });

		expect((await control('POST', 'reset')).status).toBe(200);
		expect(sim.requests).toEqual([]);
		expect(sim.runs()).toEqual([]);
		// Definitions survive a reset.
		expect((await call('POST', '/v1/workflows/wf/run')).status).toBe(200);
	});

	test('says what is wrong with a bad control request', async () => {
		expect(await control('POST', 'faults', { endpoint: 'runWorkflow', kind: 'explode' })).toEqual({
			status: 400,
			json: { detail: 'Unknown fault kind "explode"' },
		});
		expect((await control('POST', 'definitions', { workflows: [{ id: 'x' }] })).status).toBe(400);
		expect((await control('GET', 'nothing')).status).toBe(404);
	});
});

describe('demo data', () => {
	test('uses the fixed ids the example workflows name', () => {
		const { workflows, talents } = demoData();
		expect(workflows.map((workflow) => workflow.id)).toEqual(
			expect.arrayContaining([DEMO_IDS.loginWorkflow, DEMO_IDS.scrapeWorkflow, DEMO_IDS.failingWorkflow]),
		);
		expect(talents.map((talent) => talent.id)).toContain(DEMO_IDS.summarizeTalent);
		expect(DEMO_IDS.loginWorkflow).toBe('11111111-1111-4111-8111-111111111111');
		expect(DEMO_IDS.scrapeWorkflow).toBe('22222222-2222-4222-8222-222222222222');
		expect(DEMO_IDS.failingWorkflow).toBe('33333333-3333-4333-8333-333333333333');
		expect(DEMO_IDS.summarizeTalent).toBe('44444444-4444-4444-8444-444444444444');
	});

	test('behaves as documented (about 2 s: demo steps take realistic time)', async () => {
		const { sim, call } = await startSimulator(demoData());
		try {
			const submit = async (id: string, body?: unknown) =>
				(await call('POST', `/v1/workflows/${id}/run`, body)).json.run_id as string;
			const [login, scrape, failing, orders] = await Promise.all([
				submit(DEMO_IDS.loginWorkflow, { args: { username: 'ada', password: 'x' }, preserve_state: DEMO_LOGIN_STATE }),
				submit(DEMO_IDS.scrapeWorkflow),
				submit(DEMO_IDS.failingWorkflow),
				submit(DEMO_IDS.ordersWorkflow),
			]);
			const talent = await call('POST', `/v1/talents/${DEMO_IDS.summarizeTalent}/run`);
			expect(talent.json).toMatchObject({ status: 'C', result: { summary: expect.any(String) } });

			const failed = await waitForStatus(call, failing, ['C', 'F']);
			expect(failed).toMatchObject({ status: 'F', error_message: 'Element not found: #pay-button' });
			expect(failed.executions.map((step: { status: string }) => step.status)).toEqual(['C', 'F']);
			expect((await waitForStatus(call, orders, ['C', 'F'])).status).toBe('F');

			const listings = (await waitForStatus(call, scrape, ['C', 'F'])).result;
			expect(listings).toHaveLength(5);
			for (const listing of listings) expect(Object.keys(listing).sort()).toEqual(['id', 'price', 'title']);

			expect((await waitForStatus(call, login, ['C', 'F'])).result).toEqual({ loggedIn: true, user: 'ada' });
			// With the login state saved, the order history works.
			const ordersAgain = await submit(DEMO_IDS.ordersWorkflow, { use_states: [DEMO_LOGIN_STATE] });
			expect((await waitForStatus(call, ordersAgain, ['C', 'F'])).status).toBe('C');
		} finally {
			await sim.stop();
		}
	});
});

describe('CLI options', () => {
	test('port from --port, then the environment, then 8787; token from the environment', () => {
		expect(parseCliOptions([], {})).toEqual({ port: 8787, host: '127.0.0.1', token: undefined });
		expect(parseCliOptions([], { WITRIUM_SIMULATOR_PORT: '9000', WITRIUM_SIMULATOR_TOKEN: 'tok' })).toEqual({
			port: 9000,
			host: '127.0.0.1',
			token: 'tok',
		});
		expect(parseCliOptions(['--port', '9100'], { WITRIUM_SIMULATOR_PORT: '9000' }).port).toBe(9100);
		expect(parseCliOptions(['--port=0'], {}).port).toBe(0);
		expect(() => parseCliOptions(['--port', 'abc'], {})).toThrow(/Invalid port/);
	});

	test('the banner gives what a user pastes into the credential, and the demo ids', () => {
		const text = banner('http://127.0.0.1:8787', 'sim_abc');
		expect(text).toContain('http://127.0.0.1:8787');
		expect(text).toContain('sim_abc');
		for (const id of Object.values(DEMO_IDS)) expect(text).toContain(id);
	});
});

describe('lifecycle', () => {
	const handles = () =>
		process.getActiveResourcesInfo().filter((kind) => ['Timeout', 'TCPServerWrap', 'TCPSocketWrap'].includes(kind));

	test('stop() closes the server, open connections and every timer, even mid-run', async () => {
		const before = handles().length;
		const sim = new WitriumSimulator();
		expect(sim.token).toMatch(/^sim_[0-9a-f]{32}$/);
		expect(() => sim.url).toThrow(/not started/);
		sim.define({
			workflows: [{ id: 'long', startDelayMs: 0, steps: [{ instruction: 'Wait', durationMs: 60_000 }] }],
			talents: [{ id: 'long-talent', durationMs: 60_000 }],
		});
		const url = await sim.start();
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const call = callerFor(sim);
		await call('POST', '/v1/workflows/long/run');
		sim.injectFault({ endpoint: 'listSessions', kind: 'delay', delayMs: 60_000 });
		const hanging = [call('POST', '/v1/talents/long-talent/run'), call('GET', '/v1/browser-sessions')].map((p) =>
			p.catch(() => 'cut'),
		);
		await sleep(30);

		await sim.stop();
		expect(await Promise.all(hanging)).toEqual(['cut', 'cut']);
		await sleep(10);
		expect(handles().length).toBeLessThanOrEqual(before);
		await expect(fetch(url)).rejects.toThrow();
	});

	test('a stopped simulator can be stopped again and started afresh', async () => {
		const sim = new WitriumSimulator();
		await sim.start();
		await sim.stop();
		await sim.stop();
		const url = await sim.start();
		expect((await fetch(`${url}/v1/browser-sessions`)).status).toBe(401);
		await sim.stop();
	});
});
