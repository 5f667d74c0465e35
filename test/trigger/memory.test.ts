/**
 * Issue 22 item 9: what the trigger keeps in the n8n process between polls is bounded by the
 * number of triggers and holds no poll context: once n8n drops a workflow, nothing of the
 * trigger keeps it alive.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { heldWorkflow, makeTrigger, runIds, useSimulator } from './helpers';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const sim = useSimulator();

/** Whether the object behind `ref` is collected once nothing but `ref` points at it. */
async function collected(ref: WeakRef<object>): Promise<boolean> {
	for (let round = 0; round < 5 && ref.deref() !== undefined; round++) {
		// WeakRefs are cleared between jobs: let the current one end first.
		await new Promise((resolve) => setImmediate(resolve));
		collectGarbage();
	}
	return ref.deref() === undefined;
}

test('a dropped workflow is not kept alive by the trigger: its copy of the state is text, keyed by workflow and node id', async () => {
	const wf = heldWorkflow();
	sim.define({ workflows: [wf] });
	const workflows: Array<WeakRef<object>> = [];
	await (async () => {
		const trigger = makeTrigger(sim.url, { workflowId: wf.id, emit: 'always', options: { maxWait: 1 } });
		await trigger.tick(); // carries a run: this process keeps its copy of the state
		workflows.push(new WeakRef(trigger.workflow));
		trigger.restart(); // a save: n8n builds a new workflow and drops the old one with its poll context
		await trigger.tick();
		workflows.push(new WeakRef(trigger.workflow));
	})();
	expect(runIds(sim, wf.id)).toHaveLength(1); // the copy carried the run across the save
	for (const workflow of workflows) expect(await collected(workflow)).toBe(true);
});
