import type { IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

import { WitriumClient } from '../client';

/** A client for the node's `Witrium API` credential; connections are pooled per base URL by the client. */
export async function witriumClient(
	ctx: Pick<IExecuteFunctions | IPollFunctions, 'getCredentials'>,
	requestTimeoutSeconds?: number,
): Promise<WitriumClient> {
	const credentials = await ctx.getCredentials<{ apiToken: string; baseUrl?: string }>('witriumApi');
	return new WitriumClient({
		apiToken: credentials.apiToken,
		baseUrl: credentials.baseUrl || undefined,
		requestTimeoutMs: requestTimeoutSeconds ? requestTimeoutSeconds * 1000 : undefined,
	});
}
