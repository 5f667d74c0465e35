/**
 * The self-hosted edition's transport: undici with pooled connections, under n8n's SSRF rules
 * where the host has them. The verified edition builds with edition.verified.ts in its place.
 */
import type { IExecuteFunctions, IPollFunctions, NodeEgressFilter } from 'n8n-workflow';

import type { Transport } from '../client';
import type { EgressGuard } from '../client/egress';
import { undiciTransport } from '../client/http';

export type Host = Pick<IExecuteFunctions | IPollFunctions, 'getCredentials'> & { helpers?: object };

/** One guard per n8n egress filter, so its lookup (and the pooled connections using it) is reused. */
const guards = new WeakMap<NodeEgressFilter, EgressGuard>();

/**
 * n8n's SSRF protection, where the host has it (n8n 2.x; 1.x has no egress filter). Under n8n's
 * default policy the filter lets everything through unless the administrator turned protection on.
 */
function egressGuard(ctx: Host): EgressGuard | undefined {
	const helpers = ctx.helpers as { getSecureEgressFilter?: () => NodeEgressFilter } | undefined;
	if (typeof helpers?.getSecureEgressFilter !== 'function') return undefined;
	const filter = helpers.getSecureEgressFilter();
	let guard = guards.get(filter);
	if (!guard) {
		guard = {
			validateUrl: async (url) => {
				const verdict = await filter.validateUrl(url);
				if (!verdict.ok) throw verdict.error;
			},
			lookup: filter.createSecureLookup(),
		};
		guards.set(filter, guard);
	}
	return guard;
}

export function editionTransport(ctx: Host, apiToken: string): Transport {
	return undiciTransport({ apiToken, egress: egressGuard(ctx) });
}
