#!/usr/bin/env node
// Moves exported n8n workflows between the two editions of this package: rewrites the package
// prefix of every Witrium node's `type` (n8n-nodes-witrium.* <-> @witrium/n8n-nodes-witrium.*),
// in place. Node names, parameters, typeVersions and the credential type are the same in both.
// Usage: node scripts/migrate-workflow.mjs --to verified|self-hosted <workflow.json>...
// A file may hold one workflow or an array of them (n8n export:workflow --all).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const PREFIXES = { 'self-hosted': 'n8n-nodes-witrium.', verified: '@witrium/n8n-nodes-witrium.' };

/** The workflows with their Witrium nodes moved to `to`'s prefix, and how many nodes changed. */
export function migrate(workflows, to) {
	const target = PREFIXES[to];
	if (!target) throw new Error(`--to must be one of: ${Object.keys(PREFIXES).join(', ')} (got ${JSON.stringify(to)})`);
	const from = Object.values(PREFIXES).find((prefix) => prefix !== target);
	let changed = 0;
	const list = Array.isArray(workflows) ? workflows : [workflows];
	for (const [index, workflow] of list.entries()) {
		if (!Array.isArray(workflow?.nodes)) throw new Error(`workflow ${index + 1} has no "nodes" list: is this an n8n workflow export?`);
		for (const node of workflow.nodes) {
			if (typeof node?.type === 'string' && node.type.startsWith(from)) {
				node.type = target + node.type.slice(from.length);
				changed++;
			}
		}
	}
	return { workflows, changed };
}

function main(args) {
	const at = args.indexOf('--to');
	const to = at >= 0 ? args[at + 1] : undefined;
	const files = args.filter((_, i) => i !== at && i !== at + 1);
	if (!to || files.length === 0) {
		console.error('Usage: node scripts/migrate-workflow.mjs --to verified|self-hosted <workflow.json>...');
		return 2;
	}
	for (const file of files) {
		let parsed;
		try {
			parsed = JSON.parse(readFileSync(file, 'utf8'));
		} catch (error) {
			throw new Error(`${file}: not readable as JSON (${error.message})`);
		}
		const { workflows, changed } = migrate(parsed, to);
		writeFileSync(file, `${JSON.stringify(workflows, null, 2)}\n`);
		console.log(`${file}: ${changed} Witrium node(s) now ${PREFIXES[to]}*`);
	}
	return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	try {
		process.exitCode = main(process.argv.slice(2));
	} catch (error) {
		console.error(error.message);
		process.exitCode = 1;
	}
}
