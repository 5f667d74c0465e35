/** Unit and workflow tests: real HTTP to the simulator on loopback, n8n-core's engine for nodes. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testPathIgnorePatterns: ['/test/e2e/'],
	transform: {
		'^.+\\.ts$': 'ts-jest',
		// scripts/*.mjs (the port allocator) are plain ESM; jest (CommonJS here) gets them through this.
		'^.+\\.mjs$': '<rootDir>/test/e2e/support/esm-transform.js',
	},
	moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
	// The harness's Wait node needs it only for forms (see the stub).
	moduleNameMapper: { '^sanitize-html$': '<rootDir>/test/harness/stubs/sanitize-html.js' },
	testTimeout: 30000,
};
