/**
 * The package in n8n's EDITOR, in a real browser (support/editor-ui.ts: Debian's Chromium driven
 * by playwright-core, signed in through the form as a user is).
 *
 * On 2.x (what new users get): the examples/ workflows on the canvas, the node panel, a node's
 * parameters. On every line: adding an option through "Add Option" starts it at its documented
 * default under each operation (n8n 1.x's editor takes the first declaration of an option's name).
 *
 * With WITRIUM_SCREENSHOTS=1 the 2.x suite also writes the screenshots kept in docs/ (not on
 * every CI run: they change only when the editor does):
 *   editor-workflow.png          an imported example workflow on the canvas
 *   editor-node-search.png       the node panel searched for "Witrium"
 *   editor-run-workflow-node.png the Run Workflow node ("Log In") opened
 *   editor-agent-example.png     the chat agent example: an AI Agent with the Witrium tools
 */
import fs from 'node:fs';
import path from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { type EditorSession, dismissModals, log, openEditor, openWorkflow, tid, withFailureShot } from './support/editor-ui';
import { LINES, PACKAGE, linearWorkflow, node } from './support/n8n';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SHOTS_DIR = path.join(REPO_ROOT, 'docs');
const TAKE_SCREENSHOTS = process.env.WITRIUM_SCREENSHOTS === '1';
const EXAMPLE_FILE = 'login-then-scrape-in-one-session.json';
const EXAMPLE_ID = 'witriumExampleSession';
const RUN_WORKFLOW_NODE = 'Log In';
const AGENT_EXAMPLE_ID = 'witriumExampleAgent';

/**
 * Options whose default differs by operation, added through "Add Option" as a user does: the value
 * each starts at must be the documented one (node-interface.md). One Run Workflow node per operation.
 */
const OPTIONS_WORKFLOW_ID = 'witriumEditorOptions';
const OPTION_NODES = [
	node('Start a Run', `${PACKAGE}.witriumRunWorkflow`, { operation: 'run', workflowId: '11111111-1111-4111-8111-111111111111' }),
	node('Read a Run', `${PACKAGE}.witriumRunWorkflow`, { operation: 'getResults' }),
	node('Watch a Run', `${PACKAGE}.witriumRunWorkflow`, { operation: 'waitForRun' }),
];
const OPTION_DEFAULTS: Array<{ node: string; option: string; name: string; startsAt: string | boolean }> = [
	{ node: 'Start a Run', option: 'On Timeout', name: 'onTimeout', startsAt: 'Cancel Run and Fail' },
	{ node: 'Watch a Run', option: 'On Timeout', name: 'onTimeout', startsAt: 'Fail' },
	{ node: 'Start a Run', option: 'Fail on Run Failure', name: 'failOnRunFailure', startsAt: true },
	{ node: 'Read a Run', option: 'Fail on Run Failure', name: 'failOnRunFailure', startsAt: false },
	{ node: 'Watch a Run', option: 'Fail on Run Failure', name: 'failOnRunFailure', startsAt: true },
];

/** The five node types as the node panel lists them (n8n drops " Trigger" from trigger names there). */
const PANEL_NODES: Array<{ name: string; folder: string }> = [
	{ name: 'Witrium Run Workflow', folder: 'WitriumRunWorkflow' },
	{ name: 'Witrium Run Talent', folder: 'WitriumRunTalent' },
	{ name: 'Witrium Browser Session', folder: 'WitriumBrowserSession' },
	{ name: 'Witrium Cancel Run', folder: 'WitriumCancelRun' },
	{ name: 'Witrium', folder: 'WitriumTrigger' }, // "Witrium Trigger"
];

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

async function screenshot(page: Page, file: string): Promise<void> {
	if (!TAKE_SCREENSHOTS) return;
	const out = path.join(SHOTS_DIR, file);
	await page.screenshot({ path: out });
	log(`screenshot ${path.relative(REPO_ROOT, out)}`);
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

/** What "Add Option" gives each option of OPTION_DEFAULTS, read off the editor. */
async function addedOptionDefaults(session: EditorSession): Promise<typeof OPTION_DEFAULTS> {
	const { page } = session;
	const nodes = await openWorkflow(session, OPTIONS_WORKFLOW_ID, 1100);
	const shown: typeof OPTION_DEFAULTS = [];
	for (const expected of OPTION_DEFAULTS) {
		await nodes.filter({ hasText: expected.node }).first().dblclick();
		const ndv = page.locator(tid('ndv'));
		await ndv.locator(tid('node-parameters')).waitFor({ state: 'visible' });
		// "Add Option": a dropdown (2.x), or a select whose placeholder says so (1.x).
		const adders = [tid('collection-parameter-add'), tid('collection-parameter-add-dropdown'), tid('collection-parameter-add-header'), '.collection-parameter input[placeholder="Add Option"]'];
		await ndv.locator(adders.map((adder) => `${adder}:visible`).join(', ')).first().click();
		const choices = [`${tid('collection-parameter-option')}:visible`, '[role="menuitem"]:visible', '.el-dropdown-menu__item:visible'];
		await page
			.locator(choices.join(', '))
			.filter({ hasText: new RegExp(`^\\s*${expected.option}\\s*$`) })
			.first()
			.click();
		const input = ndv.locator(tid(`parameter-input-${expected.name}`));
		await input.first().waitFor({ state: 'visible' });
		const startsAt =
			typeof expected.startsAt === 'boolean' ? await input.locator('input[type="checkbox"]').first().isChecked() : await input.locator('input').first().inputValue();
		shown.push({ ...expected, startsAt });
		// Back to the canvas: a close button (2.x) or "Back to canvas" (1.x).
		await page.locator(`${tid('ndv-close-button')}:visible, ${tid('back-to-canvas')}:visible`).first().click();
		await ndv.waitFor({ state: 'hidden' });
	}
	log(`option defaults: ${shown.map((s) => `${s.node} ${s.option} = ${String(s.startsAt)}`).join('; ')}`);
	return shown;
}

const optionsWorkflow = () => linearWorkflow(OPTIONS_WORKFLOW_ID, 'editor: option defaults', OPTION_NODES);

// The 2.x suite below checks it on its own n8n; other lines get one of their own.
for (const line of LINES.filter((other) => other !== '2')) {
	describe(`the n8n ${line}.x editor in Chromium`, () => {
		let session: EditorSession | undefined;
		beforeAll(async () => {
			session = await openEditor(line, [optionsWorkflow()]);
		});
		afterAll(async () => {
			await session?.close();
		});

		test('adding an option starts it at its documented default, under each operation', () =>
			withFailureShot(() => session?.page, `option-defaults-${line}`, async () => {
				expect(await addedOptionDefaults(session!)).toEqual(OPTION_DEFAULTS);
			}));
	});
}

const describeOn2 = LINES.includes('2') ? describe : describe.skip;

describeOn2('the n8n 2.x editor in Chromium, with the package installed', () => {
	let session: EditorSession | undefined;
	let page: Page;
	const examples = readExamples();
	const example = examples.find((wf) => wf.id === EXAMPLE_ID)!;

	beforeAll(async () => {
		if (!example) throw new Error(`examples/${EXAMPLE_FILE} (id ${EXAMPLE_ID}) is missing`);
		session = await openEditor('2', [...examples, optionsWorkflow()]);
		page = session.page;
	});

	afterAll(async () => {
		await session?.close();
	});

	/** Opens the example workflow afresh (no panel left open by an earlier test). */
	const openExample = (height?: number): Promise<Locator> => openWorkflow(session!, EXAMPLE_ID, height);

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
			await page.goto(`${session!.baseUrl}/workflow/${AGENT_EXAMPLE_ID}`);
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

	test('adding an option starts it at its documented default, under each operation', () =>
		withFailureShot(() => page, 'option-defaults-2', async () => {
			expect(await addedOptionDefaults(session!)).toEqual(OPTION_DEFAULTS);
		}));
});
