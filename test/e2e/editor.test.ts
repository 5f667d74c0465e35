/**
 * The package in the n8n 2.x EDITOR, in a real browser: Debian's Chromium driven by
 * playwright-core. One n8n (packed package installed, the "Witrium API" credential
 * pointing at an in-process simulator, the examples/ workflows imported) and one
 * browser for the whole file; the test logs in through the sign-in form as a user does.
 *
 * Screenshots (kept in the README) go to docs/, or to WITRIUM_E2E_SCREENSHOTS:
 *   editor-workflow.png          an imported example workflow on the canvas
 *   editor-node-search.png       the node panel searched for "Witrium"
 *   editor-run-workflow-node.png the Run Workflow node ("Log In") opened
 *   editor-agent-example.png     the chat agent example: an AI Agent with the Witrium tools
 *
 * Needs /usr/bin/chromium (scripts/ensure-chromium.sh installs it). Runs on the 2.x line
 * only (the editor UI differs between lines; 2.x is what new users get): skipped when
 * WITRIUM_E2E_LINES leaves 2 out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import type { WitriumSimulator } from '../../simulator';
import { LINES, N8nUnderTest, PACKAGE, startSimulator, witriumCredential } from './support/n8n';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SHOTS_DIR = path.resolve(process.env.WITRIUM_E2E_SCREENSHOTS || path.join(REPO_ROOT, 'docs'));
const CHROMIUM = process.env.WITRIUM_E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--no-first-run',
];
const OWNER = { email: process.env.WITRIUM_N8N_OWNER_EMAIL || 'dev@witrium.local', password: process.env.WITRIUM_N8N_OWNER_PASSWORD || 'Witrium123' };

const EXAMPLE_FILE = 'login-then-scrape-in-one-session.json';
const EXAMPLE_ID = 'witriumExampleSession';
const RUN_WORKFLOW_NODE = 'Log In';
const AGENT_EXAMPLE_ID = 'witriumExampleAgent';

/** The five node types as the node panel lists them (n8n drops " Trigger" from trigger names there). */
const PANEL_NODES: Array<{ name: string; folder: string }> = [
	{ name: 'Witrium Run Workflow', folder: 'WitriumRunWorkflow' },
	{ name: 'Witrium Run Talent', folder: 'WitriumRunTalent' },
	{ name: 'Witrium Browser Session', folder: 'WitriumBrowserSession' },
	{ name: 'Witrium Cancel Run', folder: 'WitriumCancelRun' },
	{ name: 'Witrium', folder: 'WitriumTrigger' }, // "Witrium Trigger"
];

const UI_TIMEOUT = 60_000; // a cold editor on a busy 2-core machine is slow to load its bundles
const tid = (id: string) => `[data-test-id="${id}"]`;

interface ExampleNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
}

function readExamples(): Array<{ id: string; name: string; nodes: ExampleNode[] }> {
	const dir = path.join(REPO_ROOT, 'examples');
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.flatMap((f) => {
			const parsed = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
			return Array.isArray(parsed) ? parsed : [parsed];
		});
}

function log(msg: string): void {
	process.stderr.write(`[e2e editor] ${msg}\n`);
}

/** Closes whatever onboarding / survey / "what's new" dialog n8n put over the page. */
async function dismissModals(page: Page): Promise<void> {
	for (let i = 0; i < 5; i++) {
		const modal = page.locator('.el-overlay:visible .el-dialog, [data-test-id$="-modal"]:visible').first();
		if ((await modal.count()) === 0) return;
		const close = modal.locator('.el-dialog__headerbtn, [data-test-id$="close-button"], button[aria-label="Close"]').first();
		if (await close.count()) await close.click({ timeout: 5_000 }).catch(() => undefined);
		else await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

async function screenshot(page: Page, file: string): Promise<string> {
	fs.mkdirSync(SHOTS_DIR, { recursive: true });
	const out = path.join(SHOTS_DIR, file);
	await page.screenshot({ path: out });
	log(`screenshot ${path.relative(REPO_ROOT, out) || out}`);
	return out;
}

/**
 * Waits until every <img> under `selector` has loaded (icons load lazily, after the
 * list or canvas shows), so the checks and the screenshot see the icons. Fails with the
 * sources of the images that did not load.
 */
async function iconsLoaded(page: Page, selector: string): Promise<void> {
	const pending = () =>
		page.evaluate((sel) => {
			const imgs = [...(globalThis as any).document.querySelectorAll(`${sel} img`)];
			return imgs.filter((img: any) => !(img.complete && img.naturalWidth > 0)).map((img: any) => img.getAttribute('src'));
		}, selector);
	const deadline = Date.now() + 30_000;
	let left = await pending();
	while (left.length && Date.now() < deadline) {
		await page.waitForTimeout(200);
		left = await pending();
	}
	if (left.length) throw new Error(`icons did not load: ${left.join(', ')}`);
}

/** Visible labels of the opened node's parameters (first line: the label, not its "Fixed / Expression" toggle). */
async function parameterLabels(scope: Locator): Promise<string[]> {
	const texts = await scope.locator(`${tid('input-label')}:visible`).allInnerTexts();
	return [...new Set(texts.map((t) => t.split('\n')[0].trim()).filter(Boolean))];
}

/**
 * Runs a test body; when it fails, saves what the browser showed (a screenshot in the
 * temp dir, its path in the error) so a CI failure can be seen, not guessed.
 */
async function withFailureShot(page: () => Page | undefined, name: string, body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (err) {
		const p = page();
		if (p && !p.isClosed()) {
			const file = path.join(os.tmpdir(), `witrium-e2e-editor-${name}-${Date.now()}.png`);
			const saved = await p.screenshot({ path: file, timeout: 10_000 }).then(() => true, () => false);
			if (saved && err instanceof Error) err.message += `\n(the page at ${p.url()}: ${file})`;
		}
		throw err;
	}
}

const describeOn2 = LINES.includes('2') ? describe : describe.skip;

describeOn2('the n8n 2.x editor in Chromium, with the package installed', () => {
	let simulator: WitriumSimulator;
	let n8n: N8nUnderTest;
	let baseUrl: string;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	const examples = readExamples();
	const example = examples.find((wf) => wf.id === EXAMPLE_ID)!;
	const t0 = Date.now();

	beforeAll(async () => {
		if (!fs.existsSync(CHROMIUM)) {
			throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium)`);
		}
		if (!example) throw new Error(`examples/${EXAMPLE_FILE} (id ${EXAMPLE_ID}) is missing`);

		const sim = await startSimulator();
		simulator = sim.simulator;
		n8n = await N8nUnderTest.create('2');
		await n8n.importCredentials([witriumCredential(sim.url, sim.token)]);
		await n8n.importWorkflows(examples);
		const editor = await n8n.startEditor();
		await n8n.session(); // sets up the owner account over REST, as `npm start` does
		// The editor's own links use "localhost" (N8N_EDITOR_BASE_URL); the auth cookie is per host.
		baseUrl = `http://localhost:${editor.port}`;
		log(`n8n ${n8n.version} up at ${baseUrl} in ${editor.startSeconds.toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s with the setup)`);

		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: UI_TIMEOUT });
		context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
		context.setDefaultTimeout(UI_TIMEOUT);
		page = await context.newPage();

		// Sign in through the form, as a user does.
		await page.goto(`${baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.locator(tid('form-submit-button')).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		await dismissModals(page);
		log(`Chromium ${browser.version()} signed in (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	});

	afterAll(async () => {
		await browser?.close().catch(() => undefined);
		await n8n?.dispose();
		await simulator?.stop();
		log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	});

	/** Opens the example workflow afresh (no panel left open by an earlier test). */
	async function openExample(): Promise<Locator> {
		await page.setViewportSize({ width: 1440, height: 900 });
		await page.goto(`${baseUrl}/workflow/${EXAMPLE_ID}`);
		const nodes = page.locator(tid('canvas-node'));
		await nodes.first().waitFor({ state: 'visible' });
		await dismissModals(page);
		return nodes;
	}

	test('opens an imported example workflow: every node on the canvas with its Witrium type and icon', () =>
		withFailureShot(() => page, 'workflow', async () => {
			const nodes = await openExample();
			await page.waitForFunction(
				({ sel, count }) => (globalThis as any).document.querySelectorAll(sel).length >= count,
				{ sel: tid('canvas-node'), count: example.nodes.length },
			);

			const onCanvas = await nodes.evaluateAll((els) =>
				els.map((e) => ({ name: e.getAttribute('data-node-name'), type: e.getAttribute('data-node-type') })),
			);
			expect(onCanvas).toEqual(expect.arrayContaining(example.nodes.map((n) => ({ name: n.name, type: n.type }))));
			expect(onCanvas).toHaveLength(example.nodes.length);

			// The package's nodes render with the package's own icon (an unknown type would not).
			const witrium = page.locator(`${tid('canvas-node')}[data-node-type^="${PACKAGE}."]`);
			expect(await witrium.count()).toBe(example.nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`)).length);
			await iconsLoaded(page, `${tid('canvas-node')}[data-node-type^="${PACKAGE}."]`);
			const icons = await witrium.evaluateAll((els) =>
				els.map((e) => {
					const img = e.querySelector('img') as any;
					return { node: e.getAttribute('data-node-name'), src: img?.getAttribute('src') ?? null, loaded: Boolean(img?.complete && img.naturalWidth > 0) };
				}),
			);
			for (const icon of icons) {
				expect(icon).toEqual({ node: icon.node, src: expect.stringContaining(`/icons/${PACKAGE}/`), loaded: true });
			}
			for (const n of example.nodes) await nodes.filter({ hasText: n.name }).first().waitFor({ state: 'visible' });

			await page.waitForTimeout(800); // let the zoom-to-fit animation settle
			await screenshot(page, 'editor-workflow.png');
		}));

	test('the chat agent example: an AI Agent with the Witrium tools on the canvas', () =>
		withFailureShot(() => page, 'agent-example', async () => {
			const agentExample = examples.find((wf) => wf.id === AGENT_EXAMPLE_ID)!;
			await page.setViewportSize({ width: 1440, height: 900 });
			await page.goto(`${baseUrl}/workflow/${AGENT_EXAMPLE_ID}`);
			const tools = page.locator(`${tid('canvas-node')}[data-node-type$="Tool"][data-node-type^="${PACKAGE}."]`);
			await tools.first().waitFor({ state: 'visible' });
			await dismissModals(page);
			expect(await tools.count()).toBe(agentExample.nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`)).length);
			await iconsLoaded(page, tid('canvas-node'));
			await page.waitForTimeout(800); // let the zoom-to-fit animation settle
			await screenshot(page, 'editor-agent-example.png');
		}));

	test('the node panel offers all five Witrium nodes when searching "Witrium"', () =>
		withFailureShot(() => page, 'node-search', async () => {
			await openExample();
			await page.locator(tid('node-creator-plus-button')).click();
			const creator = page.locator(tid('node-creator'));
			const search = creator.locator(`input${tid('node-creator-search-bar')}, ${tid('node-creator-search-bar')} input`).first();
			await search.waitFor({ state: 'visible' });
			await search.fill('Witrium');

			// Each result is an item-iterator-item holding a node-creator-node-item (a node with
			// one action) or a node-creator-action-item (a node with several operations).
			const items = creator.locator(tid('item-iterator-item'));
			await page.waitForFunction(
				({ sel, names }) => {
					const shown = [...(globalThis as any).document.querySelectorAll(sel)].map((e: any) => e.textContent.trim());
					return names.every((n: string) => shown.includes(n));
				},
				{ sel: `${tid('node-creator')} ${tid('node-creator-item-name')}`, names: PANEL_NODES.map((n) => n.name) },
			);
			const offered = await items.evaluateAll((els) =>
				els.map((e) => ({
					name: e.querySelector('[data-test-id="node-creator-item-name"]')?.textContent?.trim() ?? '',
					description: e.querySelector('[data-test-id="node-creator-item-description"]')?.textContent?.trim() ?? '',
					icon: e.querySelector('img')?.getAttribute('src') ?? '',
				})),
			);
			log(`node panel for "Witrium": ${offered.map((o) => o.name).join(', ')}`);

			// Each of the five, told apart by its icon's folder (the trigger is listed as plain "Witrium").
			for (const expected of PANEL_NODES) {
				const item = offered.find((o) => o.name === expected.name);
				expect(item).toBeDefined();
				expect(item!.icon).toContain(`/icons/${PACKAGE}/dist/nodes/${expected.folder}/`);
				expect(item!.description.length).toBeGreaterThan(10);
			}
			// Only the package's nodes match the search.
			expect(offered.filter((o) => o.icon.includes(`/icons/${PACKAGE}/`))).toHaveLength(PANEL_NODES.length);

			await iconsLoaded(page, tid('node-creator'));
			await screenshot(page, 'editor-node-search.png');
			await page.keyboard.press('Escape');
		}));

	test('the Run Workflow node ("Log In") opens with its parameters rendered', () =>
		withFailureShot(() => page, 'run-workflow-node', async () => {
			const nodes = await openExample();
			// Tall enough to show every parameter of the node at once in the screenshot.
			await page.setViewportSize({ width: 1440, height: 1100 });
			await nodes.filter({ hasText: RUN_WORKFLOW_NODE }).first().dblclick();

			const ndv = page.locator(tid('ndv'));
			const params = ndv.locator(tid('node-parameters'));
			await params.waitFor({ state: 'visible' });
			await ndv.locator(tid('parameter-input-workflowId')).waitFor({ state: 'visible' });
			await ndv.locator(tid('parameter-input-waitFor')).waitFor({ state: 'visible' });

			const labels = await parameterLabels(params);
			log(`"${RUN_WORKFLOW_NODE}" parameters: ${labels.join(', ')}`);
			await ndv.locator(tid('credentials-label')).getByText('Credential').first().waitFor({ state: 'visible' });
			expect(labels).toEqual(expect.arrayContaining(['Operation', 'Workflow ID', 'Arguments', 'Browser Session ID', 'Wait For']));

			// The values from the example, and the credential resolved by id.
			const logIn = example.nodes.find((n) => n.name === RUN_WORKFLOW_NODE)!;
			expect(logIn.type).toBe(`${PACKAGE}.witriumRunWorkflow`);
			expect(await ndv.locator(`${tid('parameter-input-workflowId')} input`).first().inputValue()).toBe(logIn.parameters.workflowId);
			expect(await ndv.locator(`${tid('node-credentials-select')} input`).first().inputValue()).toBe('Witrium API');
			const argNames = await ndv.locator(`${tid('parameter-input-name')} input`).evaluateAll((els) => els.map((e: any) => e.value));
			expect(argNames).toEqual(['username', 'password']);
			await params.getByText('Browser Session ID', { exact: true }).first().waitFor({ state: 'visible' });

			await page.mouse.move(220, 250); // off the parameters: no hover toolbar in the picture
			await page.waitForTimeout(500);
			await screenshot(page, 'editor-run-workflow-node.png');
			await ndv.locator(tid('ndv-close-button')).click();
		}));
});
