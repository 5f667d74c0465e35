import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { WitriumApiError, WitriumError, parseServiceTime } from '../client';
import type { BrowserSession, WitriumClient } from '../client';
import { witriumClient } from './clientFromCredential';
import { DEFAULT_IDLE_MINUTES, DEFAULT_LIST_LIMIT } from './descriptions';
import { closeItem, sessionItem, toItems } from './items';
import { inputError, optionalString, readId, splitList } from './params';
import { executionCancelSignal, runItems } from './runner';

type Operation = 'create' | 'get' | 'getAll' | 'close' | 'closeIdle';

/** When a session was last used: its last activity, or its start for one never used. */
function lastUsedAt(session: BrowserSession): number {
	const stamp = session.lastActivityAt ?? session.startedAt ?? session.createdAt;
	return stamp ? parseServiceTime(stamp) : Number.NaN;
}

/**
 * Closes every active session that is not busy and has been idle at least `idleMinutes`, except
 * those Witrium manages itself (`userManaged: false`): only sessions made through the API are the
 * user's to close. A session
 * that turns busy (409) or goes away (404) between the listing and the close is skipped: it is in
 * use, or already gone. A close that fails otherwise does not stop the others: that session's item
 * says `closed: false` and why, so no close already made is lost and the next run tries it again.
 */
async function closeIdleSessions(client: WitriumClient, idleMinutes: number, signal?: AbortSignal): Promise<IDataObject[]> {
	const { sessions } = await client.listSessions({ signal });
	const cutoff = Date.now() - idleMinutes * 60_000;
	const idle = sessions.filter(
		(session) => session.status === 'active' && !session.isBusy && session.userManaged !== false && lastUsedAt(session) <= cutoff,
	);
	const items: IDataObject[] = [];
	for (const session of idle) {
		try {
			items.push(closeItem(session.uuid, await client.closeSession(session.uuid, {}, { signal })));
		} catch (error) {
			if (error instanceof WitriumApiError && (error.status === 409 || error.notFound)) continue;
			if (signal?.aborted || !(error instanceof WitriumError)) throw error;
			items.push({ browserSessionId: session.uuid, closed: false, status: null, message: error.message });
		}
	}
	return items;
}

/** The Browser Session node: create, get, list, close and the idle-session janitor. */
export async function executeBrowserSession(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = ctx.getNodeParameter('operation', 0) as Operation;
	const client = await witriumClient(ctx);
	const signal = executionCancelSignal(ctx);

	return await runItems(ctx, {
		maxConcurrency: 1,
		plan: () => ({}),
		handle: async (itemIndex) => {
			const options = ctx.getNodeParameter('options', itemIndex, {}) as { useStates?: string; preserveState?: string };
			switch (operation) {
				case 'create': {
					const useProxy = ctx.getNodeParameter('useProxy', itemIndex, false) as boolean;
					// Not aborted by the cancel signal: the session id is needed to close what the request opened.
					const session = await client.createSession({
						provider: optionalString(ctx.getNodeParameter('provider', itemIndex, '')),
						useProxy: useProxy || undefined,
						proxyCountry: useProxy ? optionalString(ctx.getNodeParameter('proxyCountry', itemIndex, '')) : undefined,
						proxyCity: useProxy ? optionalString(ctx.getNodeParameter('proxyCity', itemIndex, '')) : undefined,
						useStates: splitList(options.useStates),
						preserveState: optionalString(options.preserveState),
					});
					if (signal?.aborted) {
						// Stopped while the session was being created: nothing downstream will close it.
						await client.closeSession(session.uuid, { force: true }, { bestEffort: true }).catch(() => undefined);
						throw new NodeOperationError(
							ctx.getNode(),
							`The execution was stopped while browser session ${session.uuid} was being created`,
							{
								itemIndex,
								description: 'The session was closed again.',
							},
						);
					}
					return toItems([sessionItem(session)]);
				}
				case 'get': {
					const sessionId = readId(ctx, 'browserSessionId', 'Browser Session ID', itemIndex);
					return toItems([sessionItem(await client.getSession(sessionId, { signal }))]);
				}
				case 'getAll': {
					const { sessions } = await client.listSessions({ signal });
					const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
					const limit = ctx.getNodeParameter('limit', itemIndex, DEFAULT_LIST_LIMIT) as number;
					return toItems((returnAll ? sessions : sessions.slice(0, limit)).map(sessionItem));
				}
				case 'close': {
					const sessionId = readId(ctx, 'browserSessionId', 'Browser Session ID', itemIndex);
					const force = ctx.getNodeParameter('force', itemIndex, false) as boolean;
					const closed = await client.closeSession(
						sessionId,
						{ force: force || undefined, preserveState: optionalString(options.preserveState) },
						{ signal },
					);
					return toItems([closeItem(sessionId, closed)]);
				}
				case 'closeIdle': {
					const idleMinutes = ctx.getNodeParameter('idleMinutes', itemIndex, DEFAULT_IDLE_MINUTES) as number;
					if (typeof idleMinutes !== 'number' || !(idleMinutes >= 0)) {
						throw inputError(
							ctx.getNode(),
							itemIndex,
							`Idle Minutes must be a number of minutes, not "${String(idleMinutes)}"`,
							'Give 0 or more minutes.',
						);
					}
					return toItems(await closeIdleSessions(client, idleMinutes, signal));
				}
			}
			throw inputError(ctx.getNode(), itemIndex, `Unknown operation "${String(operation)}"`, 'Pick an operation from the list.');
		},
	});
}
