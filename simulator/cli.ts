/**
 * `npm run simulator` (node dist/simulator/cli.js): serves the demo data so the nodes can be
 * tried in a local n8n without a Witrium account.
 *
 *   --port <n>   (or WITRIUM_SIMULATOR_PORT)   default 8787
 *   --host <h>   (or WITRIUM_SIMULATOR_HOST)   default 127.0.0.1
 *   WITRIUM_SIMULATOR_TOKEN                   the API key to accept (default: a random one)
 */
import { DEMO_IDS, DEMO_LOGIN_STATE, demoData } from './demo';
import { WitriumSimulator } from './simulator';

export const DEFAULT_PORT = 8787;

export interface CliOptions {
	port: number;
	host: string;
	token?: string;
}

export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
	const flag = (name: string): string | undefined => {
		const index = argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
		if (index === -1) return undefined;
		const arg = argv[index];
		return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
	};
	const portText = flag('port') ?? env.WITRIUM_SIMULATOR_PORT ?? String(DEFAULT_PORT);
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${portText}`);
	return {
		port,
		host: flag('host') ?? env.WITRIUM_SIMULATOR_HOST ?? '127.0.0.1',
		token: env.WITRIUM_SIMULATOR_TOKEN || undefined,
	};
}

export function banner(url: string, token: string): string {
	const width = Math.max(...Object.keys(DEMO_IDS).map((name) => name.length));
	return [
		`Witrium simulator listening on ${url}`,
		'',
		'In the n8n "Witrium API" credential, set:',
		`  Base URL   ${url}`,
		`  API Token  ${token}`,
		'',
		'Demo ids:',
		...Object.entries(DEMO_IDS).map(([name, id]) => `  ${name.padEnd(width)}  ${id}`),
		`("ordersWorkflow" needs the browser state "${DEMO_LOGIN_STATE}": run "loginWorkflow" with Preserve State "${DEMO_LOGIN_STATE}" first)`,
		'',
		`Control surface: ${url}/__simulator/{requests,runs,sessions,states,stats}`,
		'Ctrl+C to stop.',
	].join('\n');
}

async function main(): Promise<void> {
	const options = parseCliOptions(process.argv.slice(2), process.env);
	const simulator = new WitriumSimulator({ token: options.token });
	simulator.define(demoData());
	const url = await simulator.start(options.port, options.host);
	console.log(banner(url, simulator.token));

	const shutdown = () => {
		simulator.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
