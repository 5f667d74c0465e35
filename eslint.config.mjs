// n8n's own checks for community packages, as `n8n-node lint` and the verification scanner
// (@n8n/scan-community-package) apply them, in the configuration for packages that do not
// target n8n Cloud: the shared client uses undici, node:http and timers (see README, Install).
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

export default [
	{ ignores: ['**/*.js', '**/*.mjs', 'dist/**', 'node_modules/**', '.cache/**'] },
	{ files: ['**/*.ts', '**/*.json'], languageOptions: { parser: tsParser } },
	{ ...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport, files: ['**/*.ts', 'package.json'] },
	{
		files: ['package.json'],
		rules: {
			// Still in the without-Cloud config, yet undici is a runtime dependency by design.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['src/**/*.ts'],
		rules: {
			// The client has no n8n imports by design, and src/n8n rethrows what it does not handle:
			// the runner and the trigger turn every error into a NodeApiError/NodeOperationError
			// at one boundary (toNodeError in src/n8n/errors.ts). Node files keep the rule.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{ files: ['**/*.ts'], rules: { 'no-console': 'error' } },
	// The eslint-plugin-n8n-nodes-base rule sets, with the scanner's own exceptions.
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: n8nNodesBase.configs.community.rules },
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// For n8n's own repository, where documentation URLs are slugs; ours is a URL.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Superseded by @n8n/community-nodes/credential-password-field.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts', 'src/n8n/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These predate NodeConnectionTypes, which n8n's own nodes use (its value is 'main').
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
];
