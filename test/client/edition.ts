/** The transport the client tests run on: the self-hosted edition's; the `verified` jest project maps this file to edition.verified.ts. */
import type { Transport } from '../../src/client';
import type { EgressGuard } from '../../src/client/egress';
import { undiciTransport } from '../../src/client/http';

export const EDITION = 'self-hosted';

export function testTransport(apiToken: string, _baseUrl: string, egress?: EgressGuard): Transport {
	return undiciTransport({ apiToken, egress });
}
