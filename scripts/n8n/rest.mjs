// n8n's REST API as the editor uses it: owner setup and login, credential test, node types.
import { OWNER } from './paths.mjs';

/**
 * A logged-in REST session on a running n8n. Sets up the owner account (fresh instance)
 * or logs in with it. `session.request(method, path, body)` returns {status, body}
 * (`body.data` is n8n's payload).
 */
export async function restSession(baseUrl, owner = OWNER) {
	const browserId = `witrium-e2e-${Math.random().toString(36).slice(2)}`;
	let cookie = '';
	async function request(method, urlPath, body) {
		const res = await fetch(new URL(urlPath, baseUrl), {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': browserId, // the auth cookie is bound to it
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			redirect: 'manual',
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const m = /^n8n-auth=([^;]*)/.exec(c);
			if (m) cookie = `n8n-auth=${m[1]}`;
		}
		const text = await res.text();
		let parsed;
		try {
			parsed = text ? JSON.parse(text) : null;
		} catch {
			parsed = text;
		}
		return { status: res.status, body: parsed };
	}
	const login = () =>
		request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			email: owner.email, // n8n 1.x before emailOrLdapLoginId
			password: owner.password,
		});
	// A fresh instance asks for its owner first (the editor's "Set up owner account" page).
	const settings = await request('GET', '/rest/settings');
	const needsSetup = settings.body?.data?.userManagement?.showSetupOnFirstLoad === true;
	let r = needsSetup ? { status: 0, body: 'owner not set up yet' } : await login();
	if (r.status !== 200) {
		const setup = await request('POST', '/rest/owner/setup', {
			email: owner.email,
			firstName: owner.firstName,
			lastName: owner.lastName,
			password: owner.password,
		});
		if (setup.status !== 200) {
			throw new Error(`n8n login failed (${r.status} ${JSON.stringify(r.body)}) and owner setup failed (${setup.status} ${JSON.stringify(setup.body)})`);
		}
		if (!cookie) r = await login();
	}
	return { baseUrl, owner, request, cookie: () => cookie, browserId };
}

/**
 * What the credential dialog's "Test" button does: save the credential, then
 * POST /rest/credentials/test {credentials: {id, name, type, data}}.
 * `credential` = {type, data, name?, id?}: with an `id` it tests that stored credential
 * (with `data` overriding), else it creates a temporary one and deletes it afterwards.
 * Returns n8n's answer {status: 'OK' | 'Error', message}.
 */
export async function testCredential(baseUrl, credential, { session } = {}) {
	const s = session || (await restSession(baseUrl));
	const name = credential.name || `e2e test ${credential.type} ${Date.now()}`;
	let id = credential.id;
	let created = false;
	if (!id) {
		const r = await s.request('POST', '/rest/credentials', { name, type: credential.type, data: credential.data });
		if (r.status !== 200) throw new Error(`creating the credential failed: ${r.status} ${JSON.stringify(r.body)}`);
		id = r.body.data.id;
		created = true;
	}
	try {
		const r = await s.request('POST', '/rest/credentials/test', {
			credentials: { id, name, type: credential.type, data: credential.data },
		});
		if (r.status !== 200) throw new Error(`POST /rest/credentials/test: ${r.status} ${JSON.stringify(r.body)}`);
		const { status, message } = r.body.data;
		return { status, message };
	} finally {
		if (created) await s.request('DELETE', `/rest/credentials/${id}`);
	}
}

async function getTypes(baseUrl, file, session) {
	// 2.x serves the type files to logged-in users only; 1.x to anyone.
	const s = session || (await restSession(baseUrl));
	const r = await s.request('GET', `/types/${file}`);
	if (r.status !== 200 || !Array.isArray(r.body)) throw new Error(`GET /types/${file}: ${r.status}`);
	return [...new Set(r.body.map((t) => t.name))];
}

/** Node type names the running editor offers (GET /types/nodes.json, as the editor loads them). */
export async function listNodeTypes(baseUrl, { session } = {}) {
	return getTypes(baseUrl, 'nodes.json', session);
}

/** Credential type names the running editor offers (GET /types/credentials.json). */
export async function listCredentialTypes(baseUrl, { session } = {}) {
	return getTypes(baseUrl, 'credentials.json', session);
}
