/**
 * e2e: the packed package installed into a REAL n8n (2.x on Node 24 and 1.x on Node 22,
 * from the cache that scripts/n8n.mjs fills), driven with `n8n execute` and n8n's REST API.
 *
 *   npm run test:e2e                         both lines
 *   WITRIUM_E2E_LINES=2 npm run test:e2e     one line
 *   WITRIUM_E2E_KEEP=1 ...                   keep the n8n user folders (paths are logged)
 *
 * The first run installs n8n (about 5 min a line); later runs reuse the cache.
 */
module.exports = {
	testEnvironment: 'node',
	rootDir: __dirname,
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
	moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
	transform: {
		'^.+\\.ts$': 'ts-jest',
		// scripts/n8n.mjs is plain ESM; jest (CommonJS here) gets it through a tiny transform.
		'^.+\\.mjs$': '<rootDir>/test/e2e/support/esm-transform.js',
	},
	// Installs n8n (once, cached) and builds + packs the package once for all suites.
	globalSetup: '<rootDir>/test/e2e/support/global-setup.mjs',
	globalTeardown: '<rootDir>/test/e2e/support/global-teardown.mjs',
	maxWorkers: 1, // in band: n8n is heavy and the machine has 2 cores
	testTimeout: 10 * 60 * 1000,
	slowTestThreshold: 60,
};
