/** An abortable sleep, shared by the request retries and the run wait. */
import { MAX_TIMER_MS } from './retry';

/**
 * Resolves after `ms` (any length: a Node timer longer than ~24.8 days would fire after 1 ms, so
 * a longer sleep is taken in parts); rejects with `signal.reason` (or an AbortError) at once when the signal fires.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortReason(signal));
			return;
		}
		const until = Date.now() + Math.max(0, ms);
		let timer: NodeJS.Timeout;
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortReason(signal!));
		};
		const wait = () => {
			const left = until - Date.now();
			if (left > MAX_TIMER_MS) {
				timer = setTimeout(wait, MAX_TIMER_MS);
				return;
			}
			timer = setTimeout(
				() => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				},
				Math.max(0, left),
			);
		};
		wait();
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}
