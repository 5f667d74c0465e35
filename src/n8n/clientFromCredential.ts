import { WitriumClient } from '../client';
import { editionTransport, type Host } from './edition';

/** A client for the node's `Witrium API` credential, over this edition's transport. */
export async function witriumClient(ctx: Host, requestTimeoutSeconds?: number): Promise<WitriumClient> {
	const credentials = await ctx.getCredentials<{ apiToken: string; baseUrl?: string }>('witriumApi');
	const apiToken = typeof credentials.apiToken === 'string' ? credentials.apiToken.trim() : '';
	return new WitriumClient({
		apiToken,
		baseUrl: credentials.baseUrl || undefined,
		requestTimeoutMs: requestTimeoutSeconds ? requestTimeoutSeconds * 1000 : undefined,
		transport: editionTransport(ctx, apiToken),
	});
}
