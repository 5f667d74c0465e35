/**
 * docs/benchmarks.md publishes only what one full bench run printed: it names one results file
 * (bench/results/<date>.json, with the commit measured), and every figure block on the page is
 * what that file renders, as `npm run bench` printed it (`npm run bench:docs` re-renders them).
 */
import { readFileSync } from 'node:fs';

import { BENCHMARKS_PAGE, readReport, resultsFileOf, sectionsShown, withFigures } from '../../bench/docs';
import { renderSections } from '../../bench/report';

const page = readFileSync(BENCHMARKS_PAGE, 'utf8');
const file = resultsFileOf(page);
const report = readReport(file);

test('the page names one results file: a full run, with its date and the commit it measured', () => {
	expect(file).toMatch(/^bench\/results\/\d{4}-\d{2}-\d{2}\.json$/);
	expect(report).toMatchObject({ quick: false, virtual: false, commit: expect.stringMatching(/^[0-9a-f]{7,}$/) });
	expect(file).toContain(report.date.slice(0, 10));
});

test('every figure block is what that results file renders (run `npm run bench:docs` after a bench)', () => {
	expect(withFigures(page, report)).toBe(page);
});

test('the page shows every section the run printed, goals met or not', () => {
	expect(sectionsShown(page)).toEqual(renderSections(report).map((section) => section.name));
});
