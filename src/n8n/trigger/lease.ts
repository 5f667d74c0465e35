/**
 * One poll at a time per trigger. n8n starts the next poll on schedule even while the last one
 * still runs (1.x: the cron's `onTick`; 2.x: `void executePollTrigger()`), and both share one
 * static data object: two polls would settle the same run and each start a new one. A poll
 * that finds another poll of the same trigger (workflow and node) in flight returns nothing.
 *
 * The lease lives in this process only: a crash or restart ends it with the polls it guarded.
 * A poll that never ends (a hung host) cannot block the trigger for good either: the lease
 * expires after the longest a poll can take (its budget, plus a start under its own request
 * timeout and retries) plus a grace.
 */
const EXPIRY_GRACE_MS = 5 * 60_000;

const leases = new Map<string, { token: object; expiresAt: number }>();

/** Takes the trigger's lease for one poll: its release function, or undefined when another poll holds it. */
export function takeLease(key: string, pollBudgetMs: number): (() => void) | undefined {
	const now = Date.now();
	const held = leases.get(key);
	if (held && held.expiresAt > now) return undefined;
	const token = {};
	leases.set(key, { token, expiresAt: now + pollBudgetMs + EXPIRY_GRACE_MS });
	return () => {
		if (leases.get(key)?.token === token) leases.delete(key);
	};
}
