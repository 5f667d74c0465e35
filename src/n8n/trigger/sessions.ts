/** event = sessionChange: the open browser sessions compared with the last poll. */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { BrowserSession, WitriumClient } from '../../client';
import { sessionItem } from '../items';
import { PollClock, hostPollBudgetMs, readWithin } from './clock';
import type { SessionEvent } from './config';
import { forget, type TriggerState } from './state';

const isOpen = (session: BrowserSession) => session.status !== 'closed';

async function listSessions(ctx: IPollFunctions, client: WitriumClient): Promise<BrowserSession[]> {
	const clock = new PollClock(hostPollBudgetMs(ctx), 0);
	const { sessions } = await readWithin(ctx.getNode(), clock, 'with the browser sessions', (call) => client.listSessions(call));
	return sessions;
}

export async function pollSessions(
	ctx: IPollFunctions,
	client: WitriumClient,
	state: TriggerState,
	events: Set<SessionEvent>,
): Promise<INodeExecutionData[][] | null> {
	const sessions = await listSessions(ctx, client);
	forget(state, ['pendingRun', 'lastHash', 'seenKeys']);

	const current: Record<string, IDataObject> = {};
	for (const session of sessions) if (isOpen(session)) current[session.uuid] = sessionItem(session);
	const known = state.knownSessions;
	state.knownSessions = current;
	if (!known) return null; // the first poll only records what is open now

	const emitted: IDataObject[] = [];
	if (events.has('started')) {
		for (const [id, item] of Object.entries(current)) if (!(id in known)) emitted.push({ ...item, event: 'started' });
	}
	if (events.has('closed')) {
		for (const [id, item] of Object.entries(known)) {
			if (id in current) continue;
			const listedClosed = sessions.find((session) => session.uuid === id);
			const record = listedClosed ? sessionItem(listedClosed) : { ...item, status: 'closed' };
			emitted.push({ ...record, event: 'closed' });
		}
	}
	return emitted.length > 0 ? [emitted.map((json) => ({ json }))] : null;
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
