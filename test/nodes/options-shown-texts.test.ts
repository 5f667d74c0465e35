/**
 * The words around the parameters: what the editor shows people, and what an AI agent is told.
 * Parameter names and option values are a public API and stay; display names, descriptions,
 * defaults of free text and subtitles are checked here. The agent e2e (test/e2e/agent.test.ts)
 * shows the tool text reaching a model in a real n8n.
 */
import { NodeHelpers, type INode, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { WitriumBrowserSession } from '../../nodes/WitriumBrowserSession/WitriumBrowserSession.node';
import { WitriumCancelRun } from '../../nodes/WitriumCancelRun/WitriumCancelRun.node';
import { WitriumRunTalent } from '../../nodes/WitriumRunTalent/WitriumRunTalent.node';
import { WitriumRunWorkflow } from '../../nodes/WitriumRunWorkflow/WitriumRunWorkflow.node';
import { WitriumTrigger } from '../../nodes/WitriumTrigger/WitriumTrigger.node';
import { runWorkflow } from '../harness';
import { line, node, useSimulator } from './helpers';

const runWorkflowNode = new WitriumRunWorkflow().description;
const runTalent = new WitriumRunTalent().description;
const browserSession = new WitriumBrowserSession().description;
const cancelRun = new WitriumCancelRun().description;
const trigger = new WitriumTrigger().description;
const actionNodes: Array<[string, INodeTypeDescription]> = [
	['Run Workflow', runWorkflowNode],
	['Run Talent', runTalent],
	['Browser Session', browserSession],
	['Cancel Run', cancelRun],
];

const property = (description: INodeTypeDescription, name: string): INodeProperties => {
	const found = description.properties.find((p) => p.name === name);
	if (!found) throw new Error(`${description.name} has no parameter ${name}`);
	return found;
};
/** An option of the (first) Options collection that holds it. */
const option = (description: INodeTypeDescription, name: string): INodeProperties => {
	for (const collection of description.properties.filter((p) => p.name === 'options')) {
		const found = (collection.options as INodeProperties[]).find((o) => o.name === name);
		if (found) return found;
	}
	throw new Error(`${description.name} has no option ${name}`);
};
/** Every text a person reads in the panel, expressions left out. */
function panelTexts(description: INodeTypeDescription): string[] {
	const texts: string[] = [description.description];
	const walk = (properties: unknown[]) => {
		for (const p of properties as Array<INodeProperties & { values?: unknown[] }>) {
			if (p.displayOptions?.show?.['@tool']) continue; // shown only on the tool variant
			for (const text of [p.displayName, p.description, p.hint, p.placeholder])
				if (typeof text === 'string') texts.push(text.replace(/\{\{.*?\}\}/g, ''));
			if (Array.isArray(p.options)) walk(p.options);
			if (Array.isArray(p.values)) walk(p.values);
		}
	};
	walk(description.properties);
	return texts;
}

describe('the panel speaks to people; the tool text to the model', () => {
	const editorNode = (description: INodeTypeDescription): INode => ({
		id: 'n1',
		name: 'Witrium',
		type: `n8n-nodes-witrium.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	});

	test.each(actionNodes)('%s: the panel has no AI-tool wording and no field names in code', (_, description) => {
		for (const text of panelTexts(description)) {
			expect(text).not.toMatch(/AI tool|\b[a-z]+[A-Z]\w*\b/);
		}
	});

	test.each(actionNodes)('%s: the tool variant carries the tool text, and n8n describes the tool with it', (_, description) => {
		// n8n's tool variant of a node is the same description named `<name>Tool` (its '@tool' display rule).
		const toolType = { ...description, name: `${description.name}Tool` };
		const parameters = NodeHelpers.getNodeParameters(description.properties, {}, true, false, editorNode(description), toolType) ?? {};
		const toolText = parameters.toolDescription as string;
		expect(toolText).toEqual(expect.any(String));
		expect(toolText).not.toBe(description.description);
		const node = { ...editorNode(toolType), parameters };
		expect(NodeHelpers.getToolDescriptionForNode(node, { description: toolType } as never)).toBe(toolText);
		// The node itself has no such field.
		expect(NodeHelpers.getNodeParameters(description.properties, {}, true, false, editorNode(description), description)).not.toHaveProperty(
			'toolDescription',
		);
	});
});

test('Request Timeout: the whole talent in Run Talent, one HTTP request in Run Workflow, named apart', () => {
	const talentWait = option(runTalent, 'requestTimeout');
	const oneRequest = option(runWorkflowNode, 'requestTimeout');
	expect(talentWait.displayName).not.toBe(oneRequest.displayName);
	// How long to wait for the outcome has one name in both nodes.
	expect(talentWait.displayName).toBe(option(runWorkflowNode, 'timeout').displayName);
	expect(oneRequest.displayName).toMatch(/HTTP Request/);
	expect(talentWait.default).toBe(900);
	expect(oneRequest.default).toBe(60);
});

test("Run Talent's subtitle shows no raw id", () => {
	expect(runTalent.subtitle ?? '').not.toMatch(/talentId/);
});

test('Provider is a choice with omega, the value saved workflows hold', () => {
	const provider = property(browserSession, 'provider');
	expect(provider.type).toBe('options');
	expect(provider.default).toBe('omega');
	expect((provider.options as Array<{ value: string }>).map((o) => o.value)).toContain('omega');
});

test("the trigger's subtitle names each event as its Event option does", () => {
	for (const { name, value } of property(trigger, 'event').options as Array<{ name: string; value: string }>) {
		expect(trigger.subtitle).toContain(`"${value}": "${name}"`);
	}
});

test("the trigger's Use States and a talent's Fail on Run Failure speak of what they act on", () => {
	expect(option(trigger, 'useStates').description).not.toMatch(/session/i);
	expect(option(runTalent, 'failOnRunFailure').description).not.toMatch(/cancel/i);
	expect(option(runTalent, 'failOnRunFailure').description).toMatch(/talent/);
});

test('Max Concurrency reaches the 200 the benchmarks run at', () => {
	for (const description of [runWorkflowNode, runTalent]) {
		expect(option(description, 'maxConcurrency').typeOptions?.maxValue).toBeGreaterThanOrEqual(200);
	}
});

test("files come from the input's binary fields, in n8n's words", () => {
	for (const description of [runWorkflowNode, runTalent]) {
		expect(option(description, 'binaryPropertyNames').displayName).toBe('Input Binary Fields');
	}
});

describe('against the simulator', () => {
	const { sim, credentials } = useSimulator();

	test("Proxy Country and City start empty, meaning Witrium's default (changing one keeps no stale other)", async () => {
		for (const name of ['proxyCountry', 'proxyCity']) {
			expect(property(browserSession, name).default).toBe('');
			expect(property(browserSession, name).placeholder).toMatch(/^e\.g\. /);
		}
		const result = await runWorkflow(
			line([node('Open', 'witriumBrowserSession', { operation: 'create', useProxy: true, proxyCountry: 'uk' })]),
			{ credentials: credentials() },
		);
		expect(result.error).toBeUndefined();
		const create = sim.requests.find((request) => request.endpoint === 'createSession');
		expect(create?.body).toEqual({ provider: 'omega', use_proxy: true, proxy_country: 'uk' });
	});

	test('a missing binary field names the option to fix', async () => {
		const result = await runWorkflow(
			line([
				node('Run', 'witriumRunTalent', {
					talentId: '44444444-4444-4444-8444-444444444444',
					browserSessionId: '',
					options: { binaryPropertyNames: 'invoice' },
				}),
			]),
			{ credentials: credentials() },
		);
		expect(result.error?.message).toContain('no binary field "invoice"');
		expect((result.error as { description?: string }).description).toContain('"Input Binary Fields"');
	});
});
