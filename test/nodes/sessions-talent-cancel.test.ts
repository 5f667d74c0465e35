import { runWorkflow } from '../harness';
import { line, node, nodeError, output, useSimulator } from './helpers';

const { sim, credentials } = useSimulator();
const LONG = '99999999-0000-4000-8000-000000000001';
const TALENT = '99999999-0000-4000-8000-000000000002';
const BROKEN_TALENT = '99999999-0000-4000-8000-000000000003';

beforeAll(() =>
	sim.define({
		workflows: [{ id: LONG, startDelayMs: 0, steps: [{ instruction: 'Long', durationMs: 600_000 }] }],
		talents: [
			{ id: TALENT, durationMs: 30, echoArgs: true, result: {} },
			{ id: BROKEN_TALENT, durationMs: 30, fail: 'Could not find the page' },
		],
	}),
);

const session = (parameters: object, items?: object[]) =>
	runWorkflow(line([node('Session', 'witriumBrowserSession', parameters as never)], items as never), { credentials: credentials() });

describe('Browser Session', () => {
	test('create sends provider, proxy and states; get and getAll return session items', async () => {
		await runWorkflow(line([node('Login', 'witriumRunWorkflow', { workflowId: LONG, browserSessionId: '', waitFor: 'nothing', options: { preserveState: 'x' } })]), {
			credentials: credentials(),
		});
		sim.reset();
		const created = await session({ operation: 'create', useProxy: true, proxyCountry: 'uk', proxyCity: 'London', options: { preserveState: 'after' } });
		const item = output(created, 'Session')[0].json;
		expect(Object.keys(item).sort()).toEqual(
			['browserSessionId', 'provider', 'status', 'isBusy', 'userManaged', 'currentRunType', 'currentRunId', 'createdAt', 'startedAt', 'lastActivityAt', 'proxyCountry', 'proxyCity'].sort(),
		);
		expect(sim.requests[0].body).toEqual({ provider: 'omega', use_proxy: true, proxy_country: 'uk', proxy_city: 'London', preserve_state: 'after' });

		const got = await session({ operation: 'get' }, [{ browserSessionId: item.browserSessionId }]);
		expect(output(got, 'Session')[0].json).toMatchObject({ browserSessionId: item.browserSessionId, status: 'active' });

		await session({ operation: 'create' });
		await session({ operation: 'create' });
		const limited = await session({ operation: 'getAll', limit: 2 });
		expect(output(limited, 'Session')).toHaveLength(2);
		const all = await session({ operation: 'getAll', returnAll: true });
		expect(output(all, 'Session')).toHaveLength(3);
	});

	test('close: a busy session needs force, which stops its run', async () => {
		const created = await session({ operation: 'create' });
		const sessionId = output(created, 'Session')[0].json.browserSessionId;
		await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: LONG, waitFor: 'running' })], [{ browserSessionId: sessionId }]), { credentials: credentials() });

		const refused = await session({ operation: 'close' }, [{ browserSessionId: sessionId }]);
		expect(nodeError(refused, 'Session').httpCode).toBe('409');
		expect(nodeError(refused, 'Session').description).toContain('close it with Force');

		const forced = await session({ operation: 'close', force: true, options: { preserveState: 'kept' } }, [{ browserSessionId: sessionId }]);
		expect(output(forced, 'Session')[0].json).toEqual({ browserSessionId: sessionId, closed: true, status: 'closed', message: expect.any(String) });
		expect(sim.requests[sim.requests.length - 1].body).toEqual({ force: true, preserve_state: 'kept' });
		expect(sim.runs()[0].status).toBe('X');
	});

	test('closeIdle closes the sessions that are not busy and idle long enough, and nothing else', async () => {
		const idle = output(await session({ operation: 'create' }), 'Session')[0].json.browserSessionId;
		const busy = output(await session({ operation: 'create' }), 'Session')[0].json.browserSessionId;
		await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: LONG, waitFor: 'running' })], [{ browserSessionId: busy }]), { credentials: credentials() });

		const notYet = await session({ operation: 'closeIdle', idleMinutes: 5 });
		expect(output(notYet, 'Session')).toHaveLength(0);

		const janitor = await session({ operation: 'closeIdle', idleMinutes: 0 });
		expect(output(janitor, 'Session').map((item) => item.json)).toEqual([{ browserSessionId: idle, closed: true, status: 'closed', message: expect.any(String) }]);
		expect(sim.sessions().map((s) => [s.sessionId, s.status])).toEqual([
			[idle, 'closed'],
			[busy, 'active'],
		]);
	});
});

describe('Run Talent', () => {
	test('runs synchronously with arguments and session, items in parallel up to the limit', async () => {
		const result = await runWorkflow(
			line(
				[node('Talent', 'witriumRunTalent', { talentId: TALENT, browserSessionId: '', arguments: { argument: [{ name: 'n', value: '={{ $json.n }}' }] }, options: { maxConcurrency: 3 } })],
				[{ n: 1 }, { n: 2 }, { n: 3 }],
			),
			{ credentials: credentials() },
		);
		const items = output(result, 'Talent');
		expect(items.map((item) => item.json)).toEqual(
			[1, 2, 3].map((n) => ({
				talentId: TALENT,
				status: 'C',
				browserSessionId: null,
				startedAt: expect.any(String),
				completedAt: expect.any(String),
				message: null,
				result: { args: { n } },
				resultFormat: null,
				errorMessage: null,
			})),
		);
		expect(sim.maxConcurrentRuns()).toBe(3);
	});

	test('a failed talent is an item error, or output with its status when failOnRunFailure is off', async () => {
		const failed = await runWorkflow(line([node('Talent', 'witriumRunTalent', { talentId: BROKEN_TALENT, browserSessionId: '' })]), { credentials: credentials() });
		expect(nodeError(failed, 'Talent').message).toContain('Could not find the page');

		const kept = await runWorkflow(
			line([node('Talent', 'witriumRunTalent', { talentId: BROKEN_TALENT, browserSessionId: '', options: { failOnRunFailure: false } })]),
			{ credentials: credentials() },
		);
		expect(output(kept, 'Talent')[0].json).toMatchObject({ status: 'F', errorMessage: 'Could not find the page' });
	});
});

describe('Cancel Run', () => {
	test('cancels a run and, with closeSession, force-closes its session', async () => {
		const sessionId = output(await session({ operation: 'create' }), 'Session')[0].json.browserSessionId;
		const started = await runWorkflow(line([node('Run', 'witriumRunWorkflow', { workflowId: LONG, waitFor: 'running' })], [{ browserSessionId: sessionId }]), {
			credentials: credentials(),
		});
		const runId = output(started, 'Run')[0].json.runId;

		const result = await runWorkflow(line([node('Cancel', 'witriumCancelRun', { options: { closeSession: true } })], [{ runId }]), { credentials: credentials() });
		expect(output(result, 'Cancel')[0].json).toMatchObject({
			runId,
			workflowId: LONG,
			status: 'X',
			statusName: 'cancelled',
			browserSessionId: sessionId,
			runType: expect.any(String),
			sessionClosed: true,
			sessionCloseMessage: expect.any(String),
		});
		expect(sim.runs()[0].status).toBe('X');
		expect(sim.sessions()[0].status).toBe('closed');
	});

	test('an unknown run is a 404 NodeApiError naming the item', async () => {
		const result = await runWorkflow(line([node('Cancel', 'witriumCancelRun')], [{ runId: '00000000-0000-4000-8000-000000000000' }]), { credentials: credentials() });
		const error = nodeError(result, 'Cancel');
		expect(error.httpCode).toBe('404');
		expect(error.itemIndex).toBe(0);
	});
});
