/**
 * The fault-injection soak, short: 40 items through the nodes against the simulator injecting
 * faults at random (`npm run soak` runs the same code with a few hundred items).
 */
import { formatReport, runSoak } from './soak';

test('under random faults nothing is doubled, leaked or orphaned, and every failure names its cause', async () => {
	const report = await runSoak({ runItems: 26, sessionItems: 6, talentItems: 8, maxConcurrency: 5, faultEveryRequests: 5, seed: 40 });
	const failed = report.checks.filter((check) => !check.passed);
	if (failed.length > 0) throw new Error(formatReport(report));
	expect(report.checks.map((check) => check.name)).toEqual([
		'duplicate submissions',
		'leaked sessions',
		'orphaned runs',
		'every item succeeded or names its cause',
		'API token in no output, error or log line',
		'unhandled promise rejections',
	]);
	// The faults did hit: the checks were not passed by a quiet run.
	expect(report.counts.faultedRequests).toBeGreaterThan(10);
	expect(report.counts.failed).toBeGreaterThan(0);
	expect(report.counts.succeeded).toBeGreaterThan(report.counts.failed);
}, 120_000);
