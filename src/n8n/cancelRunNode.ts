import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { WitriumClient } from '../client';

import { witriumClient } from './clientFromCredential';
import { cancelItem, closeItem, toItems } from './items';
import { readId } from './params';
import { executionCancelSignal, runItems } from './runner';

/** Cancels a run a node is giving up on, within a few seconds, without letting a failed cancel hide the reason. */
export async function cancelQuietly(client: WitriumClient, runId: string): Promise<boolean> {
	try {
		await client.cancelRun(runId, { bestEffort: true });
		return true;
	} catch {
		return false;
	}
}

/** The Cancel Run node: cancels a run and, if asked, force-closes the browser session it ran in. */
export async function executeCancelRun(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const client = await witriumClient(ctx);
	const signal = executionCancelSignal(ctx);

	return await runItems(ctx, {
		maxConcurrency: 1,
		plan: () => ({}),
		handle: async (itemIndex) => {
			const runId = readId(ctx, 'runId', 'Run ID', itemIndex);
			const { closeSession } = ctx.getNodeParameter('options', itemIndex, {}) as { closeSession?: boolean };
			const cancelled = await client.cancelRun(runId, { signal });
			const item = cancelItem(cancelled);
			if (closeSession && cancelled.sessionId) {
				const closed = closeItem(cancelled.sessionId, await client.closeSession(cancelled.sessionId, { force: true }, { signal }));
				item.sessionClosed = closed.closed;
				item.sessionCloseMessage = closed.message;
			}
			return toItems([item]);
		},
	});
}
