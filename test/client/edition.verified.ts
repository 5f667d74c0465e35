/** The verified edition's transport for the client tests: n8n-core's own request helper in a Witrium node's context. */
import type { Transport } from '../../src/client';
import type { EgressGuard } from '../../src/client/egress';
import { editionTransport } from '../../src/n8n/edition.verified';
import { nodeExecuteContext } from '../harness';

export const EDITION = 'verified';

export function testTransport(apiToken: string, baseUrl: string, egress?: EgressGuard): Transport {
	if (egress) throw new Error('An egress guard belongs to the self-hosted transport: the verified edition has n8n apply its rules');
	return editionTransport(nodeExecuteContext({ witriumApi: { apiToken, baseUrl } }), apiToken);
}
