/** Talent status strings are not documented beyond a few values: classify what is known. */
const SUCCESS = new Set(['c', 'completed']);
const FAILURE = new Set(['f', 'failed', 'x', 'cancelled', 'error']);

/** `success` for "C"/"completed", `failure` for "F"/"failed"/"X"/"cancelled"/"error", else `unknown`. */
export function talentOutcome(status: string | null | undefined): 'success' | 'failure' | 'unknown' {
	const key = (status ?? '').trim().toLowerCase();
	if (SUCCESS.has(key)) return 'success';
	if (FAILURE.has(key)) return 'failure';
	return 'unknown';
}
