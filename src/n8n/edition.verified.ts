/**
 * The verified (n8n Cloud) edition's transport: n8n's own request helper with the credential's
 * authentication, and n8n's sleep. Built in place of edition.ts (editions/verified/tsconfig.json).
 */
import * as n8nWorkflow from 'n8n-workflow';
import type { IExecuteFunctions, IHttpRequestOptions, IPollFunctions } from 'n8n-workflow';

import { hostTransport, type HostAnswer, type HostSleep, type Transport } from '../client';

export type Host = Pick<IExecuteFunctions | IPollFunctions, 'getCredentials' | 'helpers'>;

/**
 * The host's n8n-workflow runs, whatever this package was built against: from 2.34 `sleep` takes
 * a signal, 1.98–2.33 have `sleepWithAbort` for it, and older ones sleep on (the transport checks after).
 */
const hostSleep: HostSleep = (n8nWorkflow as { sleepWithAbort?: HostSleep }).sleepWithAbort ?? n8nWorkflow.sleep;

/** n8n's helper waits at most this much longer than the client's own deadline (its default would be 300 s). */
const HELPER_TIMEOUT_MARGIN_MS = 1000;

/** `_apiToken` is not needed: the credential's `authenticate` adds the key. */
export function editionTransport(ctx: Host, _apiToken: string): Transport {
	return hostTransport(async (req, signal) => {
		const options: IHttpRequestOptions = {
			method: req.method,
			url: req.url,
			headers: req.headers,
			body: req.body,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: req.timeoutMs + HELPER_TIMEOUT_MARGIN_MS,
			abortSignal: signal,
		};
		// n8n gives every authenticated request the signal its caller's getExecutionCancelSignal()
		// returns: here, the request's own, which carries the execution's cancel signal wherever the
		// client passed it, and not where a stop must not cut the request (a run's start, the clean-up after a stop).
		const caller = Object.create(ctx, { getExecutionCancelSignal: { value: () => signal } }) as Host;
		return (await ctx.helpers.httpRequestWithAuthentication.call(caller as never, 'witriumApi', options)) as HostAnswer;
	}, hostSleep);
}
