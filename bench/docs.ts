/**
 * docs/benchmarks.md's figures, rendered from the one results file it names, so the page
 * publishes only what one run printed (test/docs/benchmarks.test.ts checks they match).
 *
 *   npm run bench:docs                               re-render the blocks from the file the page names
 *   npm run bench:docs -- bench/results/<date>.json  name that file instead, then re-render
 *
 * The page names the file once, `<!-- figures from bench/results/<date>.json -->`, and holds each
 * section the bench prints between `<!-- bench:<section> -->` and `<!-- /bench:<section> -->`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { renderSections, type BenchReport, type SectionName } from './report';

export const REPO_ROOT = path.join(__dirname, '..');
export const BENCHMARKS_PAGE = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

const SOURCE = /<!-- figures from (\S+) -->/g;
const BLOCK = /<!-- bench:(\w+) -->\n(?:[\s\S]*?\n)?<!-- \/bench:\1 -->/g;

/** The results file the page names (relative to the repository), or an error saying what is wrong. */
export function resultsFileOf(page: string): string {
	const named = [...page.matchAll(SOURCE)].map((match) => match[1]);
	if (named.length !== 1) throw new Error(`docs/benchmarks.md must name one results file (<!-- figures from bench/results/….json -->), not ${named.length}`);
	return named[0];
}

export function readReport(file: string): BenchReport {
	return JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as BenchReport;
}

/** The sections a page shows, in its order. */
export function sectionsShown(page: string): string[] {
	return [...page.matchAll(BLOCK)].map((match) => match[1]);
}

/** The page with every block re-rendered from `report`; a block naming a section the report lacks is an error. */
export function withFigures(page: string, report: BenchReport): string {
	const sections = new Map<string, string>(renderSections(report).map((section) => [section.name, section.text]));
	return page.replace(BLOCK, (_, name: SectionName) => {
		const text = sections.get(name);
		if (text === undefined) throw new Error(`docs/benchmarks.md shows a "${name}" section that the results file has no figures for`);
		return `<!-- bench:${name} -->\n\`\`\`text\n${text}\n\`\`\`\n<!-- /bench:${name} -->`;
	});
}

if (require.main === module) {
	let page = readFileSync(BENCHMARKS_PAGE, 'utf8');
	const chosen = process.argv[2];
	if (chosen) page = page.replace(SOURCE, `<!-- figures from ${path.relative(REPO_ROOT, path.resolve(chosen))} -->`);
	const file = resultsFileOf(page);
	writeFileSync(BENCHMARKS_PAGE, withFigures(page, readReport(file)));
	console.log(`docs/benchmarks.md: ${sectionsShown(page).join(', ')} rendered from ${file}`);
}
