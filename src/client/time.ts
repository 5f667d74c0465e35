/** The service's timestamps as instants, whatever way it writes them. */

const DATE_TIME = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;

/**
 * Milliseconds since the epoch, or NaN. ISO 8601 as well as `2026-01-05 10:00:00+00` (a short
 * offset, as PostgreSQL prints a timestamptz); a date-time without an offset is UTC (the
 * service's clock), never the n8n host's zone.
 */
export function parseServiceTime(stamp: string): number {
	const text = stamp.trim();
	const parts = DATE_TIME.exec(text);
	if (!parts) return Date.parse(text);
	const [, date, time, zone] = parts;
	let offset = 'Z';
	if (zone && zone.toUpperCase() !== 'Z') {
		const digits = zone.replace(':', '');
		offset = `${digits.slice(0, 3)}:${digits.slice(3) || '00'}`;
	}
	return Date.parse(`${date}T${time}${offset}`);
}
