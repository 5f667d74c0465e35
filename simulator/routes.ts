/**
 * The service's route table: method + path → endpoint key and path id. Like FastAPI, a path
 * that exists under another method is a 405, an unknown path a 404.
 */
import type { EndpointKey } from './types';

interface Route {
	method: string;
	pattern: RegExp;
	endpoint: EndpointKey;
}

// One path segment; ids are percent-decoded after matching, so an encoded "/" stays inside.
const ID = '([^/]+)';

const ROUTES: Route[] = [
	{ method: 'POST', pattern: new RegExp(`^/v1/workflows/${ID}/run$`), endpoint: 'runWorkflow' },
	{ method: 'GET', pattern: new RegExp(`^/v1/runs/${ID}/results$`), endpoint: 'getResults' },
	{ method: 'POST', pattern: new RegExp(`^/v1/runs/${ID}/cancel$`), endpoint: 'cancelRun' },
	{ method: 'POST', pattern: new RegExp(`^/v1/talents/${ID}/run$`), endpoint: 'runTalent' },
	{ method: 'POST', pattern: /^\/v1\/browser-sessions$/, endpoint: 'createSession' },
	{ method: 'GET', pattern: /^\/v1\/browser-sessions$/, endpoint: 'listSessions' },
	{ method: 'GET', pattern: new RegExp(`^/v1/browser-sessions/${ID}$`), endpoint: 'getSession' },
	{ method: 'POST', pattern: new RegExp(`^/v1/browser-sessions/${ID}$`), endpoint: 'closeSession' },
	{ method: 'DELETE', pattern: new RegExp(`^/v1/browser-sessions/${ID}$`), endpoint: 'deleteSession' },
];

export type RouteMatch =
	{ kind: 'endpoint'; endpoint: EndpointKey; id: string } | { kind: 'methodNotAllowed'; allow: string[] } | { kind: 'notFound' };

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

export function matchRoute(method: string, path: string): RouteMatch {
	const samePath = ROUTES.filter((route) => route.pattern.test(path));
	if (samePath.length === 0) return { kind: 'notFound' };
	const route = samePath.find((candidate) => candidate.method === method);
	if (!route) return { kind: 'methodNotAllowed', allow: samePath.map((candidate) => candidate.method) };
	const match = route.pattern.exec(path);
	return { kind: 'endpoint', endpoint: route.endpoint, id: match?.[1] ? decodeSegment(match[1]) : '' };
}
