/** event = sessionChange: the open browser sessions compared with the last poll. */
import { NodeOperationError } from 'n8n-workflow';
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { BrowserSession, WitriumClient } from '../../client';
import { sessionItem } from '../items';
import { PollClock, hostPollBudgetMs, readWithin } from './clock';
import type { SessionEvent } from './config';
import { handOver } from './host';
import type { PollState } from './state';
import { sessionStep } from './step';

const isOpen = (session: BrowserSession) => session.status !== 'closed';

async function listSessions(ctx: IPollFunctions, client: WitriumClient): Promise<BrowserSession[]> {
	const clock = new PollClock(hostPollBudgetMs(ctx), 0);
	const { sessions } = await readWithin(ctx.getNode(), clock, 'with the browser sessions', (call) => client.listSessions(call));
	return sessions;
}

/** A poll: the open sessions against the last poll's; what was emitted counts as known once n8n takes it. */
export async function pollSessions(
	ctx: IPollFunctions,
	client: WitriumClient,
	poll: PollState,
	events: Set<SessionEvent>,
): Promise<INodeExecutionData[][] | null> {
	const next = sessionStep(poll.current, await listSessions(ctx, client), events);
	poll.write(next.state);
	if (next.items.length === 0) return null;
	const { taken } = next;
	return handOver(ctx, next.items, () => poll.write(taken));
}

/** "Fetch Test Event": the sessions open now, as `started` events. */
export async function sampleSessions(ctx: IPollFunctions, client: WitriumClient): Promise<INodeExecutionData[][]> {
	const open = (await listSessions(ctx, client)).filter(isOpen);
	if (open.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No browser session is open in Witrium right now', {
			description:
				'Fetch Test Event shows the sessions open now as "started" events. Open one (e.g. with the Witrium Browser Session node, operation Create) and fetch again.',
		});
	}
	return [open.map((session) => ({ json: { ...sessionItem(session), event: 'started' } }))];
}
