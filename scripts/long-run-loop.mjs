// The long-run example (examples/long-run-without-holding-a-worker.json) as the queue-mode e2e
// and bench run it: started by a production webhook instead of by hand, its Wait shortened,
// and the finished run's item posted to a collector. Everything else is the example as shipped.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from './n8n.mjs';

export const LONG_RUN_EXAMPLE = path.join(REPO_ROOT, 'examples', 'long-run-without-holding-a-worker.json');

/**
 * POST /webhook/<webhookPath> (answered at once) with `{ job }` starts Witrium workflow
 * `witriumWorkflowId` with the argument `job`; each round waits `waitSeconds` (n8n stores the
 * execution only over 65 s: exactly 65 s can come out as 64.999 s and sleep in the worker); Run Finished's item is POSTed as JSON to `reportUrl`, if given.
 */
export function longRunLoopWorkflow({ id, webhookPath, witriumWorkflowId, waitSeconds, reportUrl }) {
	const workflow = JSON.parse(fs.readFileSync(LONG_RUN_EXAMPLE, 'utf8'));
	const named = (name) => {
		const found = workflow.nodes.find((n) => n.name === name);
		if (!found) throw new Error(`${LONG_RUN_EXAMPLE} has no node "${name}"`);
		return found;
	};
	Object.assign(named('Start'), {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
	});
	Object.assign(named('Start Export').parameters, {
		workflowId: witriumWorkflowId,
		arguments: { argument: [{ name: 'job', value: '={{ $json.body.job }}' }] },
	});
	Object.assign(named('Wait 2 Minutes').parameters, { amount: waitSeconds, unit: 'seconds' });
	if (!reportUrl) return { ...workflow, id, name: `long-run loop: ${webhookPath}`, active: false };
	const finished = named('Run Finished');
	workflow.nodes.push({
		id: 'report',
		name: 'Report',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [finished.position[0] + 220, finished.position[1]],
		parameters: {
			method: 'POST',
			url: reportUrl,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify($json) }}',
			options: {},
		},
	});
	workflow.connections[finished.name] = { main: [[{ node: 'Report', type: 'main', index: 0 }]] };
	return { ...workflow, id, name: `long-run loop: ${webhookPath}`, active: false };
}
