/** An abortable sleep, shared by the request retries and the run wait. */

/** Resolves after `ms`; rejects with `signal.reason` (or an AbortError) at once when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortReason(signal));
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortReason(signal!));
		};
		const timer = setTimeout(
			() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			},
			Math.max(0, ms),
		);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}
