/**
 * n8n's editor in a real browser: one n8n of a line (package installed, the "Witrium API"
 * credential on an in-process simulator, the given workflows imported) and Debian's Chromium
 * driven by playwright-core, signed in through the form as a user is. Needs /usr/bin/chromium
 * (scripts/ensure-system.sh installs it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import type { WitriumSimulator } from '../../../simulator';
import { type Line, N8nUnderTest, startSimulator, witriumCredential } from './n8n';

const CHROMIUM = process.env.WITRIUM_E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--no-first-run',
];
const OWNER = {
	email: process.env.WITRIUM_N8N_OWNER_EMAIL || 'dev@witrium.local',
	password: process.env.WITRIUM_N8N_OWNER_PASSWORD || 'Witrium123',
};

/** A cold editor on a busy 2-core machine is slow to load its bundles. */
export const UI_TIMEOUT = 60_000;
export const tid = (id: string) => `[data-test-id="${id}"]`;

export function log(msg: string): void {
	process.stderr.write(`[e2e editor] ${msg}\n`);
}

export interface EditorSession {
	n8n: N8nUnderTest;
	simulator: WitriumSimulator;
	browser: Browser;
	page: Page;
	/** Where the editor is, e.g. http://localhost:5678 */
	baseUrl: string;
	close(): Promise<void>;
}

/** Starts n8n of `line` with `workflows` imported, and a browser signed in to its editor. */
export async function openEditor(line: Line, workflows: object[]): Promise<EditorSession> {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-system.sh (apt-get install chromium)`);
	const t0 = Date.now();
	const sim = await startSimulator();
	const n8n = await N8nUnderTest.create(line);
	let browser: Browser | undefined;
	const close = async () => {
		await browser?.close().catch(() => undefined);
		await n8n.dispose();
		await sim.simulator.stop();
		log(`n8n ${line}.x: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	};
	try {
		await n8n.importCredentials([witriumCredential(sim.url, sim.token)]);
		await n8n.importWorkflows(workflows);
		const editor = await n8n.startEditor();
		await n8n.session(); // sets up the owner account over REST, as `npm start` does
		// The editor's own links use "localhost" (N8N_EDITOR_BASE_URL); the auth cookie is per host.
		const baseUrl = `http://localhost:${editor.port}`;
		log(
			`n8n ${n8n.version} up at ${baseUrl} in ${editor.startSeconds.toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s with the setup)`,
		);

		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: UI_TIMEOUT });
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
		context.setDefaultTimeout(UI_TIMEOUT);
		const page = await context.newPage();
		// Leaving a workflow with unsaved edits (an option added) asks the browser first: leave.
		page.on('dialog', (dialog) => void dialog.accept());

		await page.goto(`${baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.locator(tid('form-submit-button')).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		await dismissModals(page);
		log(`Chromium ${browser.version()} signed in to n8n ${line}.x (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
		return { n8n, simulator: sim.simulator, browser, page, baseUrl, close };
	} catch (error) {
		await close();
		throw error;
	}
}

/** Closes whatever onboarding / survey / "what's new" dialog n8n put over the page. */
export async function dismissModals(page: Page): Promise<void> {
	for (let i = 0; i < 5; i++) {
		const modal = page.locator('.el-overlay:visible .el-dialog, [data-test-id$="-modal"]:visible').first();
		if ((await modal.count()) === 0) return;
		const close = modal.locator('.el-dialog__headerbtn, [data-test-id$="close-button"], button[aria-label="Close"]').first();
		if (await close.count()) await close.click({ timeout: 5_000 }).catch(() => undefined);
		else await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

/** Opens a saved workflow afresh and waits for its nodes on the canvas. */
export async function openWorkflow(session: EditorSession, workflowId: string, height = 900) {
	const { page, baseUrl } = session;
	await page.setViewportSize({ width: 1440, height });
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	const nodes = page.locator(tid('canvas-node'));
	await nodes.first().waitFor({ state: 'visible' });
	await dismissModals(page);
	return nodes;
}

/**
 * Runs a test body; when it fails, saves what the browser showed (a screenshot in the
 * temp dir, its path in the error) so a CI failure can be seen, not guessed.
 */
export async function withFailureShot(page: () => Page | undefined, name: string, body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (err) {
		const p = page();
		if (p && !p.isClosed()) {
			const file = path.join(os.tmpdir(), `witrium-e2e-editor-${name}-${Date.now()}.png`);
			const saved = await p.screenshot({ path: file, timeout: 10_000 }).then(
				() => true,
				() => false,
			);
			if (saved && err instanceof Error) err.message += `\n(the page at ${p.url()}: ${file})`;
		}
		throw err;
	}
}
