/** Waiting for a run: adaptive polling bounded by an overall deadline, abortable at once. */
import { RunStatusError, WaitAbortedError, WaitTimeoutError, WitriumApiError } from './errors';
import { EndTracker, learnedDurations } from './history';
import { DEFAULT_MAX_POLL_INTERVAL_MS, nextPollDelay } from './poll';
import { describeLastStep, describeStatus, isKnownStatus, isRunOver } from './status';
import type { RunResults, WaitOptions } from './types';

/** Whether `run` satisfies the wait. */
export function reachedTarget(run: RunResults, options: Pick<WaitOptions, 'until' | 'allInstructionsExecuted'>): boolean {
	if (run.status === 'C') return true; // a completed run has also been running
	if ((options.until ?? 'completed') !== 'running' || run.status !== 'R') return false;
	if (!options.allInstructionsExecuted) return true;
	const last = run.executions[run.executions.length - 1];
	return last !== undefined && last.status === 'C';
}

function describeTarget(options: WaitOptions): string {
	if ((options.until ?? 'completed') === 'running') {
		return options.allInstructionsExecuted ? 'running (R) with all instructions executed' : 'running (R)';
	}
	return 'completed (C)';
}

function formatDuration(ms: number): string {
	return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

/**
 * A code outside P R C F X without `completed_at` may be a state the service added (a queue, say):
 * it is polled as not over, but for this long at most, so a wait without a deadline never hangs on it.
 */
export const UNKNOWN_STATUS_LIMIT_MS = 15 * 60_000;

/** Polls done this close to the deadline give up their slot to one last poll just before it. */
const FINAL_POLL_MARGIN_MS = 300;

export type PollFn = (call: { signal?: AbortSignal; timeoutMs?: number; deadlineAt?: number }) => Promise<RunResults>;

/** Time as the wait sees it: the client's transport sleeps; tests and the bench pass a virtual clock to wait minutes in milliseconds. */
export interface WaitClock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export async function waitForRun(runId: string, poll: PollFn, options: WaitOptions, clock: WaitClock): Promise<RunResults> {
	const started = clock.now();
	const deadline = options.timeoutMs && options.timeoutMs > 0 ? started + options.timeoutMs : undefined;
	const maxInterval = options.maxPollIntervalMs && options.maxPollIntervalMs > 0 ? options.maxPollIntervalMs : DEFAULT_MAX_POLL_INTERVAL_MS;
	const target = describeTarget(options);
	const signal = options.signal;
	let last: RunResults | undefined;
	let lastError: WitriumApiError | undefined;
	let finalPollDone = false;
	/** Since when every poll has shown a code outside P R C F X. */
	let unknownSince: number | undefined;
	const unknownLimit =
		options.unknownStatusLimitMs && options.unknownStatusLimitMs > 0 ? options.unknownStatusLimitMs : UNKNOWN_STATUS_LIMIT_MS;
	/** No poll before this: the service's Retry-After on the last failed poll. */
	let notBefore = 0;
	// Only a wait for completion of a run its caller has just started (and names the workflow of)
	// learns and uses how long the workflow's runs take: they are timed from the wait's start.
	const learnsAs = (options.until ?? 'completed') === 'completed' ? options.workflowId : undefined;
	const tracker = new EndTracker();
	const forecast = learnsAs === undefined ? undefined : learnedDurations.forecast(learnsAs);

	const aborted = () =>
		new WaitAbortedError(
			`Waiting for run ${runId} was stopped` + (last ? ` (last status: ${describeStatus(last.status)})` : ''),
			runId,
			last,
		);
	const timedOut = () => {
		let message = `Run ${runId} did not reach ${target} within ${formatDuration(options.timeoutMs ?? 0)}`;
		if (last) {
			message += `; last status: ${describeStatus(last.status)}`;
			const step = describeLastStep(last);
			message += step ? `, last step reached: ${step}` : ', no step reached yet';
		} else {
			message += '; no status was seen yet';
			if (lastError) message += ` (last error: ${lastError.message})`;
		}
		return new WaitTimeoutError(message, runId, last);
	};

	for (let attempt = 0; ; attempt++) {
		if (signal?.aborted) throw aborted();
		const now = clock.now();
		let wake = Math.max(now + nextPollDelay(attempt, now - started, maxInterval, last, forecast), notBefore);
		if (deadline !== undefined) {
			if (finalPollDone || now >= deadline) {
				await sleepOrAbort(clock, deadline - now, signal, aborted);
				throw timedOut();
			}
			// Even when the service asked (Retry-After) to come back after the deadline: the run may
			// have finished, and failing it unseen would lose its result.
			if (wake > deadline - FINAL_POLL_MARGIN_MS) {
				wake = Math.max(now, deadline - FINAL_POLL_MARGIN_MS);
				finalPollDone = true;
			}
		}
		await sleepOrAbort(clock, wake - now, signal, aborted);

		let run: RunResults;
		const sentMs = clock.now() - started;
		try {
			run = await poll({
				signal,
				timeoutMs: options.requestTimeoutMs,
				deadlineAt: deadline,
			});
		} catch (err) {
			if (signal?.aborted) throw aborted();
			if (!(err instanceof WitriumApiError)) throw err;
			if (err.kind === 'aborted') throw aborted();
			if (!err.retryable) throw err;
			lastError = err;
			notBefore = err.retryAt ?? 0;
			if (deadline !== undefined && clock.now() >= deadline) throw timedOut();
			continue;
		}
		lastError = undefined;
		last = run;
		unknownSince = isKnownStatus(run.status) || isRunOver(run) ? undefined : (unknownSince ?? clock.now());
		const answeredMs = clock.now() - started;
		tracker.observe(run, sentMs, answeredMs);
		options.onProgress?.(run);
		if (reachedTarget(run, options)) {
			if (learnsAs !== undefined) learnedDurations.record(learnsAs, tracker.sample(run, answeredMs));
			return run;
		}
		if (isRunOver(run)) {
			let message = `Run ${runId} ended ${describeStatus(run.status)} while waiting for ${target}`;
			if (run.errorMessage) message += `: ${run.errorMessage}`;
			throw new RunStatusError(message, (options.until ?? 'completed') === 'running' ? 'R' : 'C', run);
		}
		if (unknownSince !== undefined && clock.now() - unknownSince >= unknownLimit) {
			throw new WaitTimeoutError(
				`Run ${runId} showed ${describeStatus(run.status)}, which this client cannot tell over or not, for ${formatDuration(unknownLimit)}: stopped waiting for ${target}`,
				runId,
				run,
			);
		}
	}
}

async function sleepOrAbort(clock: WaitClock, ms: number, signal: AbortSignal | undefined, aborted: () => Error): Promise<void> {
	try {
		await clock.sleep(ms, signal);
	} catch {
		throw aborted();
	}
}
