/**
 * Unit and workflow tests: real HTTP to the simulator on loopback, n8n-core's engine for nodes.
 * Two projects: `self-hosted` runs everything on the undici transport; `verified` runs the client,
 * node and trigger suites again with every `./edition` import mapped to its `.verified` file (n8n's
 * request helper and sleep), leaving out what is the undici transport's alone (egress hook, proxy variables).
 */
const shared = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	transform: {
		'^.+\\.ts$': 'ts-jest',
		// scripts/*.mjs (the port allocator) are plain ESM; jest (CommonJS here) gets them through this.
		'^.+\\.mjs$': '<rootDir>/test/e2e/support/esm-transform.js',
	},
	moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
	// The harness's Wait node needs it only for forms (see the stub).
	moduleNameMapper: { '^sanitize-html$': '<rootDir>/test/harness/stubs/sanitize-html.js' },
};

module.exports = {
	testTimeout: 30000,
	projects: [
		{ ...shared, displayName: 'self-hosted', testPathIgnorePatterns: ['/test/e2e/'] },
		{
			...shared,
			displayName: 'verified',
			testMatch: ['<rootDir>/test/{client,nodes,trigger}/**/*.test.ts'],
			testPathIgnorePatterns: ['/test/client/(egress|proxy)\\.test\\.ts$'],
			moduleNameMapper: { ...shared.moduleNameMapper, '^(.*)/edition$': '$1/edition.verified' },
		},
	],
};
