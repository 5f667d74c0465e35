/** Unit and workflow tests: real HTTP to the simulator on loopback, n8n-core's engine for nodes. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testPathIgnorePatterns: ['/test/e2e/'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	testTimeout: 30000,
};
