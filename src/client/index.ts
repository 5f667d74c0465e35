/** The shared Witrium API client (no n8n imports); each edition hands it a transport: undici (http.ts) or the host's (hostTransport.ts). */
export * from './types';
export * from './errors';
export { WitriumClient } from './client';
export {
	RUN_STATUS_NAMES,
	TERMINAL_STATUSES,
	statusName,
	describeStatus,
	isKnownStatus,
	isTerminalStatus,
	isRunOver,
	describeLastStep,
} from './status';
export { reachedTarget } from './wait';
export { nextPollDelay, predictRemainingMs, FIRST_POLL_MS, MIN_POLL_MS, POLL_GROWTH_FRACTION, DEFAULT_MAX_POLL_INTERVAL_MS } from './poll';
export { RunDurations, learnedDurations, forecastFrom, EndTracker, type EndSample, type Forecast } from './history';
export { hostTransport, type HostAnswer, type HostRequest, type HostSleep } from './hostTransport';
export {
	DEFAULT_BASE_URL,
	DEFAULT_REQUEST_TIMEOUT_MS,
	DEFAULT_MAX_RETRIES,
	DEFAULT_RETRY_BASE_DELAY_MS,
	DEFAULT_RETRY_MAX_DELAY_MS,
	BEST_EFFORT_MS,
} from './requests';
export { talentOutcome } from './talent';
export { parseServiceTime } from './time';
