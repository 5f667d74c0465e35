/**
 * The trigger's public interface (names saved in users' workflows) and the pure rules behind
 * its emit modes and poll budget.
 */
import type { INodeProperties } from 'n8n-workflow';

import { WitriumTrigger } from '../../nodes/WitriumTrigger/WitriumTrigger.node';
import {
	DEFAULT_POLL_BUDGET_MS,
	canonicalJson,
	hostPollBudgetMs,
	itemKey,
	newElements,
	resultElements,
	stableHash,
} from '../../src/n8n/trigger';

describe('node description (node-interface.md, witriumTrigger)', () => {
	const { description } = new WitriumTrigger();
	const property = (name: string): INodeProperties => {
		const found = description.properties.find((p) => p.name === name);
		if (!found) throw new Error(`no parameter ${name}`);
		return found;
	};
	const values = (p: INodeProperties) => (p.options as Array<{ value: string }>).map((o) => o.value);

	test('a polling trigger with no inputs, not a tool', () => {
		expect(description.name).toBe('witriumTrigger');
		expect(description.displayName).toBe('Witrium Trigger');
		expect(description.polling).toBe(true);
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['main']);
		expect(description.usableAsTool).toBeUndefined();
		expect(description.credentials).toEqual([{ name: 'witriumApi', required: true }]);
	});

	test('parameter names, values and defaults are the documented ones', () => {
		expect(values(property('event'))).toEqual(['workflowResult', 'sessionChange']);
		expect(property('event').default).toBe('workflowResult');
		expect(property('workflowId').default).toBe('');
		expect(values(property('specifyArguments'))).toEqual(['keypair', 'json']);
		expect(property('arguments').type).toBe('fixedCollection');
		expect(property('argumentsJson').type).toBe('json');
		expect(values(property('emit'))).toEqual(['changed', 'always', 'newItems']);
		expect(property('emit').default).toBe('changed');
		expect(property('dedupeField').default).toBe('');
		expect(property('dedupeField').displayOptions?.show?.emit).toEqual(['newItems']);
		expect(values(property('sessionEvents'))).toEqual(['started', 'closed']);
		expect(property('sessionEvents').default).toEqual(['started', 'closed']);
		const options = (property('options').options as INodeProperties[]).map((o) => o.name);
		expect(options).toEqual(expect.arrayContaining(['useStates', 'failOnRunFailure']));
		const failOption = (property('options').options as INodeProperties[]).find((o) => o.name === 'failOnRunFailure');
		expect(failOption?.default).toBe(true);
	});

	test('says what the first poll does', () => {
		expect(property('emit').hint).toMatch(/first poll emits/);
		expect(property('sessionEvents').hint).toMatch(/first scheduled poll only records/);
	});
});

describe('stable hash', () => {
	test('insensitive to key order at every level, sensitive to values and array order', () => {
		const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: null } };
		const b = { a: { x: null, y: [1, { p: 2, q: 1 }] }, b: 1 };
		expect(canonicalJson(a)).toBe(canonicalJson(b));
		expect(stableHash(a)).toBe(stableHash(b));
		expect(stableHash({ a: [1, 2] })).not.toBe(stableHash({ a: [2, 1] }));
		expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: '1' }));
		expect(stableHash(null)).not.toBe(stableHash([]));
	});
});

describe('new items', () => {
	test('result elements: an array, an object as one, nothing for null', () => {
		expect(resultElements([1, 2])).toEqual([1, 2]);
		expect(resultElements({ a: 1 })).toEqual([{ a: 1 }]);
		expect(resultElements(null)).toEqual([]);
	});

	test('keys: the field (top level, then dot path), else the whole element', () => {
		expect(itemKey({ id: 7, x: 1 }, 'id')).toBe(itemKey({ id: 7, x: 2 }, 'id'));
		expect(itemKey({ 'a.b': 1 }, 'a.b')).toBe('=1');
		expect(itemKey({ a: { b: 'x' } }, 'a.b')).toBe('=x');
		expect(itemKey({ x: 1 }, 'id')).toBe(itemKey({ x: 1 }, undefined)); // no field: whole element
		expect(itemKey({ x: 1, y: 2 }, undefined)).toBe(itemKey({ y: 2, x: 1 }, undefined));
		expect(itemKey({ id: 'z'.repeat(500) }, 'id').length).toBeLessThan(40); // long values are hashed
	});

	test('duplicates within one result are emitted once; the memory keeps the most recently seen', () => {
		const first = newElements([{ id: 1 }, { id: 1 }, { id: 2 }], [], 'id', 3);
		expect(first.fresh).toEqual([{ id: 1 }, { id: 2 }]);
		expect(first.seenKeys).toEqual(['=1', '=2']);
		const second = newElements([{ id: 3 }, { id: 1 }], first.seenKeys, 'id', 3);
		expect(second.fresh).toEqual([{ id: 3 }]);
		expect(second.seenKeys).toEqual(['=2', '=3', '=1']);
		const third = newElements([{ id: 4 }], second.seenKeys, 'id', 3);
		expect(third.seenKeys).toEqual(['=3', '=1', '=4']); // 2, least recently seen, is forgotten
		expect(newElements([{ id: 2 }], third.seenKeys, 'id', 3).fresh).toEqual([{ id: 2 }]);
	});
});

describe('poll budget', () => {
	test("the host's getPollBudgetMs when it has one (n8n 2.x), else a safe default (n8n 1.x)", () => {
		expect(hostPollBudgetMs({ getPollBudgetMs: () => 36_000 })).toBe(36_000);
		expect(hostPollBudgetMs({})).toBe(DEFAULT_POLL_BUDGET_MS);
		expect(hostPollBudgetMs({ getPollBudgetMs: () => Number.NaN })).toBe(DEFAULT_POLL_BUDGET_MS);
		expect(DEFAULT_POLL_BUDGET_MS).toBeLessThan(60_000); // n8n polls at most every minute
	});
});
