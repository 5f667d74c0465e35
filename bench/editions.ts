/**
 * The two editions side by side: the detection bench (detection.ts) run at once on the
 * self-hosted transport (undici) and on the verified one (n8n-core's own request helper in a
 * Witrium node's context, as in `npm test`), each against its own simulator; the median detection
 * and the requests of every strategy compared. Same schedule, so within 10 % of each other.
 */
import { testTransport as verifiedTransport } from '../test/client/edition.verified';
import { runDetection, type DetectionOptions, type DetectionResult } from './detection';
import { round, table, type Goal } from './lib';

export interface EditionsResult {
	selfHosted: DetectionResult;
	verified: DetectionResult;
	goals: Goal[];
}

/** How far apart two figures may be: 10 % of the self-hosted one. */
const TOLERANCE = 0.1;

export async function compareEditions(options: Omit<DetectionOptions, 'transport'>): Promise<EditionsResult> {
	const [selfHosted, verified] = await Promise.all([runDetection(options), runDetection({ ...options, transport: verifiedTransport })]);
	return { selfHosted, verified, goals: goals(selfHosted, verified) };
}

/** Each strategy's figures on both editions: [strategy, self-hosted summary, verified summary]. */
function pairs(selfHosted: DetectionResult, verified: DetectionResult) {
	return selfHosted.strategies.map((mine) => [mine, verified.strategies.find((s) => s.strategy === mine.strategy)!] as const);
}

function goals(selfHosted: DetectionResult, verified: DetectionResult): Goal[] {
	const within = (a: number, b: number) => Math.abs(b - a) <= TOLERANCE * a;
	return pairs(selfHosted, verified).flatMap(([mine, theirs]) => [
		{
			name: `${mine.label}: median detection on the verified edition`,
			goal: `within 10 % of the self-hosted ${mine.all.medianDetectionS} s`,
			value: `${theirs.all.medianDetectionS} s`,
			met: within(mine.all.medianDetectionS, theirs.all.medianDetectionS),
		},
		{
			name: `${mine.label}: requests on the verified edition`,
			goal: `within 10 % of the self-hosted ${mine.all.requests}`,
			value: String(theirs.all.requests),
			met: within(mine.all.requests, theirs.all.requests),
		},
	]);
}

export function renderEditions({ selfHosted, verified, goals: list }: EditionsResult): string {
	const ratio = (a: number, b: number) => round(b / a, 3);
	const rows = pairs(selfHosted, verified).map(([mine, theirs]) => [
		mine.label,
		mine.all.runs,
		mine.all.medianDetectionS,
		theirs.all.medianDetectionS,
		ratio(mine.all.medianDetectionS, theirs.all.medianDetectionS),
		mine.all.meanDetectionS,
		theirs.all.meanDetectionS,
		mine.all.requests,
		theirs.all.requests,
		ratio(mine.all.requests, theirs.all.requests),
	]);
	return [
		`Editions side by side: detection of runs of ${selfHosted.lengthsS.join(', ')} s, ${selfHosted.workflowsPerLength} workflows per length and strategy, ` +
			`each run ${selfHosted.runsPerWorkflow} times in a row, both editions at once (took ${Math.max(selfHosted.wallS, verified.wallS)} s)`,
		table(
			['strategy', 'runs', 'median s self-hosted', 'verified', 'ratio', 'mean s self-hosted', 'verified', 'requests self-hosted', 'verified', 'ratio'],
			rows,
		),
		'',
		'Goals (issue 23)',
		...list.map((goal) => `  [${goal.met ? 'met' : 'NOT MET'}] ${goal.name} ${goal.goal}: ${goal.value}`),
	].join('\n');
}
