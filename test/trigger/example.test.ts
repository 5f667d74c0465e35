/** The example workflow examples/alert-on-page-change.json, against the simulator's demo data. */
import { demoData, DEMO_IDS } from '../../simulator/index';
import { createPollHarness, outputJson } from '../harness';
import { TOKEN, startSimulator } from './helpers';

test('alert-on-page-change: the first poll alerts, an unchanged page does not, a changed page does', async () => {
	const { sim, baseUrl } = await startSimulator();
	try {
		sim.define(demoData());
		const trigger = createPollHarness('examples/alert-on-page-change.json', 'Watch Listings', {
			credentials: { witriumApi: { apiToken: TOKEN, baseUrl } },
		});

		expect(await trigger.activate()).toBeNull(); // n8n's activation poll starts nothing
		const first = await trigger.poll('trigger');
		expect(first?.[0]).toHaveLength(1);
		const run = await trigger.runEmitted(first!);
		expect(run.status).toBe('success');
		const [alert] = outputJson(run, 'Alert');
		expect(alert.alert).toBe('The watched page changed: 5 listings now, the cheapest at 74.9');
		expect(alert.runId).toBe(first![0][0].json.runId);

		expect(await trigger.poll('trigger')).toBeNull();

		const scrape = demoData().workflows.find((w) => w.id === DEMO_IDS.scrapeWorkflow)!;
		sim.define({ workflows: [{ ...scrape, result: [{ id: 'L-2001', title: 'Pine desk', price: 59 }] }] });
		const changed = await trigger.poll('trigger');
		const [second] = outputJson(await trigger.runEmitted(changed!), 'Alert');
		expect(second.alert).toBe('The watched page changed: 1 listing now, the cheapest at 59');
		expect(sim.runCount(DEMO_IDS.scrapeWorkflow)).toBe(3);
	} finally {
		await sim.stop();
	}
});
