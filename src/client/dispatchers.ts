/** The connection pool: one keep-alive undici dispatcher per origin + proxy environment + egress lookup. */
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { guardedLookup, lookupId, type LookupFunction } from './egress';

const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];
const dispatchers = new Map<string, Dispatcher>();

function proxyEnvKey(): string {
	return PROXY_ENV.map((name) => process.env[name] ?? '').join('\u0000');
}

/**
 * The pooled dispatcher for an origin under the current proxy environment and, when the host has
 * egress rules, their connect-time lookup (created once, keep-alive), shared by every client instance.
 */
export function dispatcherFor(origin: string, lookup?: LookupFunction): Dispatcher {
	const envKey = proxyEnvKey();
	const key = `${origin}\u0001${envKey}\u0001${lookup ? lookupId(lookup) : 0}`;
	let dispatcher = dispatchers.get(key);
	if (!dispatcher) {
		const hasProxy = envKey.replace(/\u0000/g, '') !== '';
		const connect = lookup ? { lookup: guardedLookup(lookup) } : undefined;
		// Our own timer covers connect + headers + body; undici's defaults (300 s) would cut long
		// synchronous talent runs short, so its own header/body timeouts are disabled per request.
		dispatcher = hasProxy ? new EnvHttpProxyAgent({ connect }) : new Agent({ connect });
		dispatchers.set(key, dispatcher);
	}
	return dispatcher;
}

/** Closes every pooled dispatcher (tests, or a host shutting down). New requests create fresh ones. */
export async function closeAllDispatchers(): Promise<void> {
	const all = [...dispatchers.values()];
	dispatchers.clear();
	await Promise.all(all.map((d) => d.close().catch(() => undefined)));
}
