/**
 * An error the service answers with `{"detail": ...}`. The engine throws these; the HTTP layer
 * turns them into responses, so engine code reads like the service's rules.
 */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly detail: unknown,
	) {
		super(typeof detail === 'string' ? detail : `HTTP ${status}`);
	}
}

export const notFound = (what: string, id: string) => new ApiError(404, `${what} ${id} not found`);
