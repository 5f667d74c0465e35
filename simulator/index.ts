/** The Witrium API simulator: a real HTTP server for tests, benchmarks and `npm run simulator`. */
export { WitriumSimulator, type SimulatorOptions } from './simulator';
export { demoData, DEMO_IDS, DEMO_LOGIN_STATE } from './demo';
export { ENDPOINT_KEYS } from './faults';
export { AUTH_HEADER } from './api';
export * from './types';
