// The verified (n8n Cloud) edition's sources under n8n's Cloud configuration (`recommended`: no
// timers, process or imports beyond n8n's list, no runtime dependencies), with every rule of
// eslint.config.mjs besides. Lints what the verified build compiles: not the undici transport
// (src/client/http.ts, dispatchers.ts, egress.ts) nor the self-hosted src/n8n/edition.ts.
// Usage (in `npm run lint`): eslint -c eslint.verified.config.mjs nodes credentials src editions/verified/package.json
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

import selfHosted from './eslint.config.mjs';

const { recommended, recommendedWithoutN8nCloudSupport } = n8nCommunityNodesPlugin.configs;

export default [
	{ ignores: ['src/client/http.ts', 'src/client/dispatchers.ts', 'src/client/egress.ts', 'src/n8n/edition.ts'] },
	...selfHosted
		// The self-hosted package's one exception: undici as a runtime dependency.
		.filter((config) => config.rules?.['@n8n/community-nodes/no-runtime-dependencies'] !== 'off')
		.map((config) => (config.rules === recommendedWithoutN8nCloudSupport.rules ? { ...config, ...recommended, files: config.files } : config)),
	{ files: ['editions/verified/package.json'], languageOptions: { parser: selfHosted[1].languageOptions.parser } },
];
