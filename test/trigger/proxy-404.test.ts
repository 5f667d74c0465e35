/** A remembered run is forgotten only when Witrium itself says it does not know it, never on a proxy's 404 page. */
import type { IDataObject } from 'n8n-workflow';

import { failure, heldWorkflow, makeTrigger, useSimulator } from './helpers';

const PROXY_404 = '<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>';

const sim = useSimulator();

test("a proxy's 404 page while a run is remembered fails that poll but keeps the run; the next poll emits its result", async () => {
	const wf = heldWorkflow({ result: { price: 7 } });
	sim.define({ workflows: [wf] });
	const trigger = makeTrigger(sim.url, { workflowId: wf.id }, { pollBudgetMs: 1000, cursorMode: 'staged' });
	expect((await trigger.tick()).output).toBeNull();
	const { runId } = trigger.staticData().pendingRun as IDataObject;

	sim.injectFault({ endpoint: 'getResults', kind: 'status', status: 404, body: PROXY_404, times: 1000 });
	await failure(trigger.tick());
	expect((trigger.staticData().pendingRun as IDataObject | undefined)?.runId).toBe(runId);

	sim.clearFaults();
	sim.endRun(String(runId));
	const { output } = await trigger.tick();
	expect(trigger.json(output)).toEqual([expect.objectContaining({ runId, status: 'C', result: { price: 7 } })]);
});
