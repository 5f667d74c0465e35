import type { IDataObject } from 'n8n-workflow';

/**
 * A tool's answer sized for the model. n8n sends the model `JSON.stringify(items)`, so that text
 * is what is bounded, every field included. What does not fit is cut, never dropped silently:
 * whole items first, then the fields of an item that alone is too large, the largest cut most;
 * a note says what was cut.
 */

/** Most characters of JSON a tool call answers with, about 5,000 tokens. */
export const TOOL_OUTPUT_LIMIT = 20_000;

/** Room first kept for a note that says what was cut (the fit is then checked with the note in). */
const NOTE_ROOM = 400;

const jsonLength = (value: unknown): number => JSON.stringify(value)?.length ?? 0;

/** The first `length` UTF-16 units of a text, one less if the last would be half a surrogate pair. */
function prefix(text: string, length: number): string {
	const end = Math.max(0, Math.min(length, text.length));
	const last = text.charCodeAt(end - 1);
	return text.slice(0, last >= 0xd800 && last <= 0xdbff ? end - 1 : end);
}

/** The longest prefix of a text whose JSON fits in `room` characters (escapes count). */
function textWithin(text: string, room: number): string {
	let kept = prefix(text, room - 2);
	while (kept.length > 0 && jsonLength(kept) > room) kept = prefix(kept, kept.length - Math.max(1, jsonLength(kept) - room));
	return kept;
}

interface Cut {
	value: unknown;
	/** What the note says about this field, e.g. `"result" holds its first 12 of 2000 entries`. */
	said: string;
}

/** A field's value cut to fit `room` characters of JSON: whole entries of a list, else text. */
function cutValue(key: string, value: unknown, room: number): Cut {
	if (Array.isArray(value)) {
		const kept: unknown[] = [];
		let used = 2;
		for (const entry of value) {
			used += jsonLength(entry) + (kept.length > 0 ? 1 : 0);
			if (used > room) break;
			kept.push(entry);
		}
		// A list whose first entry alone is too large is shown as text rather than as nothing.
		if (kept.length > 0 || value.length === 0)
			return { value: kept, said: `"${key}" holds its first ${kept.length} of ${value.length} entries` };
	}
	if (typeof value === 'string') {
		const kept = textWithin(value, room);
		return { value: kept, said: `"${key}" holds its first ${kept.length} of ${value.length} characters` };
	}
	const text = JSON.stringify(value);
	const kept = textWithin(text, room);
	return { value: kept, said: `"${key}" holds the first ${kept.length} of its ${text.length} characters of JSON, as text` };
}

/**
 * One item cut to `limit` characters of JSON, its `truncated` note included. Fields are given
 * equal shares of the room, smallest first, so small fields (ids, status) stay whole and what a
 * small field leaves goes to the larger ones.
 */
function cutItem(item: IDataObject, limit: number, noteTail = ''): IDataObject {
	const fields = Object.entries(item).sort(([, a], [, b]) => jsonLength(a) - jsonLength(b));
	const keysLength = fields.reduce((sum, [key]) => sum + jsonLength(key) + 2, 2);
	let room = limit - keysLength - NOTE_ROOM;
	for (;;) {
		let left = room;
		const values: IDataObject = {};
		const said: string[] = [];
		fields.forEach(([key, value], index) => {
			const share = Math.floor(left / (fields.length - index));
			if (jsonLength(value) <= share) {
				values[key] = value;
			} else {
				const cut = cutValue(key, value, share);
				values[key] = cut.value as IDataObject;
				said.push(cut.said);
			}
			left -= jsonLength(values[key]);
		});
		const answer: IDataObject = Object.fromEntries(Object.keys(item).map((key) => [key, values[key]]));
		answer.truncated = `Cut to fit the ${TOOL_OUTPUT_LIMIT} characters of JSON a tool answers with: ${said.join('; ')}.${noteTail}`;
		const over = jsonLength(answer) - limit;
		if (over <= 0 || room <= 0) return answer;
		room -= over;
	}
}

/** Bounds a tool's answer to `limit` characters of JSON, saying what was cut. */
export function boundToolOutput(items: IDataObject[], limit = TOOL_OUTPUT_LIMIT): IDataObject[] {
	if (jsonLength(items) <= limit) return items;
	if (items.length === 1) return [cutItem(items[0], limit - 2)];
	const note = (shown: number, firstCut: boolean) => ({
		truncated: `Showing ${shown} of ${items.length} items${firstCut ? ' (the first cut)' : ''} (${jsonLength(items)} characters of JSON), as a tool answers with at most ${limit} characters.`,
	});
	const kept: IDataObject[] = [];
	let used = 2 + jsonLength(note(items.length, true)) + 1;
	for (const item of items) {
		used += jsonLength(item) + 1;
		if (used > limit) break;
		kept.push(item);
	}
	if (kept.length > 0) return [...kept, note(kept.length, false)];
	// The first item alone is over the bound: the model still gets it, cut.
	const tail = note(1, true);
	return [cutItem(items[0], limit - 3 - jsonLength(tail)), tail];
}
