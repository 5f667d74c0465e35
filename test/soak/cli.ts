/**
 * `npm run soak`: the fault-injection soak with its full parameters (a few hundred items, about
 * 1–2 minutes, loopback only). Exits non-zero when a check fails.
 *
 *   npm run soak -- --items=300 --seed=7 --fault-every=5
 */
import { DEFAULT_SOAK, formatReport, runSoak } from './soak';

const flag = (name: string) => {
	const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
	return found === undefined ? undefined : Number(found.slice(name.length + 3));
};

async function main() {
	const items = flag('items');
	const scale = items ? items / (DEFAULT_SOAK.runItems + DEFAULT_SOAK.sessionItems + DEFAULT_SOAK.talentItems) : 1;
	const report = await runSoak({
		runItems: Math.round(DEFAULT_SOAK.runItems * scale),
		sessionItems: Math.round(DEFAULT_SOAK.sessionItems * scale),
		talentItems: Math.round(DEFAULT_SOAK.talentItems * scale),
		seed: flag('seed') ?? DEFAULT_SOAK.seed,
		faultEveryRequests: flag('fault-every') ?? DEFAULT_SOAK.faultEveryRequests,
		log: (line) => process.stderr.write(`  … ${line}\n`),
	});
	console.log(formatReport(report));
	process.exitCode = report.passed ? 0 : 1;
}

main().catch((error: unknown) => {
	console.error('soak failed to run:', error instanceof Error ? error.stack : error);
	process.exitCode = 2;
});
