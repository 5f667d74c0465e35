/** Pure rules behind the emit modes: canonical JSON, hashes, item keys, the New Items memory. */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal data always gives the same text. */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		const text = JSON.stringify(value);
		return text === undefined ? 'null' : text;
	}
	if (Array.isArray(value)) return `[${value.map((entry) => canonicalJson(entry)).join(',')}]`;
	const object = value as Record<string, unknown>;
	const keys = Object.keys(object)
		.filter((key) => object[key] !== undefined)
		.sort();
	return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
}

/** A stable hash of any JSON value, insensitive to key order. */
export function stableHash(value: unknown): string {
	return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** A top-level field, or a dot path (`price.amount`) when no top-level field has that name. */
export function fieldValue(element: unknown, field: string): unknown {
	if (element === null || typeof element !== 'object') return undefined;
	const object = element as Record<string, unknown>;
	if (field in object) return object[field];
	let current: unknown = element;
	for (const part of field.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}

/** What identifies a result item: its dedupe field's value, else a hash of the whole item. */
export function itemKey(element: unknown, dedupeField: string | undefined): string {
	if (dedupeField) {
		const value = fieldValue(element, dedupeField);
		if (value !== undefined && value !== null) {
			const text = typeof value === 'string' ? value : canonicalJson(value);
			return text.length <= 64 ? `=${text}` : `=#${stableHash(text).slice(0, 32)}`;
		}
	}
	return `#${stableHash(element).slice(0, 32)}`;
}

/** The items of a result: an array's elements, an object as one item, nothing for null. */
export function resultElements(result: unknown): unknown[] {
	if (Array.isArray(result)) return result;
	return result === null || result === undefined ? [] : [result];
}

/**
 * Elements not seen before, and the new memory: keys seen in this result move to the end
 * (most recently seen), and the oldest are forgotten beyond `limit`. The keys of this result
 * are all kept even when there are more than `limit` of them, or the next poll of the same
 * result would emit the forgotten ones again.
 */
export function newElements(
	elements: unknown[],
	seenKeys: readonly string[],
	dedupeField: string | undefined,
	limit: number,
): { fresh: unknown[]; seenKeys: string[] } {
	const seen = new Set(seenKeys);
	const current: string[] = [];
	const inThisResult = new Set<string>();
	const fresh: unknown[] = [];
	for (const element of elements) {
		const key = itemKey(element, dedupeField);
		if (inThisResult.has(key)) continue;
		inThisResult.add(key);
		current.push(key);
		if (!seen.has(key)) fresh.push(element);
	}
	const older = seenKeys.filter((key) => !inThisResult.has(key));
	const roomForOlder = Math.max(0, Math.max(1, limit) - current.length);
	return { fresh, seenKeys: [...older.slice(older.length - roomForOlder), ...current] };
}
