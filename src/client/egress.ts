/**
 * The host's egress rules at connect time: its lookup replaces dns.lookup in the pooled
 * dispatchers, and the errors it refuses with are told apart from DNS failures.
 */
/** A dns.lookup drop-in (the shape net.connect accepts as `lookup`). */
export type LookupFunction = NonNullable<import('node:net').TcpNetConnectOpts['lookup']>;

/**
 * The host's egress rules (e.g. n8n's SSRF protection), for a transport that opens its own
 * connections. Nothing is sent to a URL the rules refuse.
 */
export interface EgressGuard {
	/** Rejects when the base URL may not be reached (checked before the first request). */
	validateUrl(url: string): Promise<void>;
	/** Used at connect time instead of dns.lookup, so a name that later resolves elsewhere is refused too. */
	lookup?: LookupFunction;
}

const lookupIds = new WeakMap<LookupFunction, number>();
let nextLookupId = 1;

/** A number per lookup function, so dispatchers are pooled per lookup. */
export function lookupId(lookup: LookupFunction): number {
	let id = lookupIds.get(lookup);
	if (id === undefined) {
		id = nextLookupId++;
		lookupIds.set(lookup, id);
	}
	return id;
}

/** Errors a guarded lookup refused with (a DNS failure carries a code; a refusal by the rules does not). */
const refusedByLookup = new WeakSet<object>();

type LookupCallback = (error: Error | null, ...results: unknown[]) => void;
type LooseLookup = (hostname: string, options: object, callback: LookupCallback) => void;

/** The host's lookup, remembering which errors were refusals, so they are reported as such. */
export function guardedLookup(lookup: LookupFunction): LookupFunction {
	const inner = lookup as unknown as LooseLookup;
	const guarded: LooseLookup = (hostname, options, callback) =>
		inner(hostname, options, (error, ...results) => {
			if (error && typeof (error as { code?: unknown }).code !== 'string') refusedByLookup.add(error);
			callback(error, ...results);
		});
	return guarded as unknown as LookupFunction;
}

/** The error a guarded lookup refused with, anywhere in `err`'s causes. */
export function refusedAt(err: unknown, depth = 0): unknown {
	if (!err || typeof err !== 'object' || depth > 3) return undefined;
	if (refusedByLookup.has(err)) return err;
	return refusedAt((err as { cause?: unknown }).cause, depth + 1);
}
