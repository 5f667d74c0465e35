/**
 * The verified edition sleeps with the host's n8n-workflow. Where its `sleep` takes the signal
 * (n8n-workflow 2.34 on), a stop ends the sleep at once. Where it cannot (n8n-workflow 1.83, as
 * n8n 1.85 ships), the sleep runs to its end and then rejects, so no further poll or retry is
 * sent. A sleep longer than a timer can hold is taken in parts. Timers are jest's fake ones.
 */
import type { Transport } from '../../src/client';
import { MAX_TIMER_MS } from '../../src/client/retry';

type EditionModule = typeof import('../../src/n8n/edition.verified');

/** The verified transport, loaded against the given n8n-workflow package (as the host would provide it). */
function transportOn(workflowPackage: 'n8n-workflow' | 'n8n-workflow-1.83'): Transport {
	let edition: EditionModule | undefined;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => jest.requireActual(workflowPackage));
		edition = require('../../src/n8n/edition.verified') as EditionModule;
	});
	return edition!.editionTransport({} as never, '');
}

/** Whether the promise has settled, once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
	const state = await Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
	return state;
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
afterEach(() => jest.useRealTimers());

test('n8n-workflow 2.x: a stop ends the sleep at once', async () => {
	const stop = new AbortController();
	const sleeping = transportOn('n8n-workflow').sleep(10_000, stop.signal);
	stop.abort(new Error('stopped'));
	await expect(sleeping).rejects.toThrow('stopped');
});

test('n8n-workflow 1.83 (no abortable sleep): the sleep ends as scheduled, then rejects instead of resolving', async () => {
	const stop = new AbortController();
	const sleeping = transportOn('n8n-workflow-1.83').sleep(10_000, stop.signal);
	stop.abort(new Error('stopped'));
	expect(await settled(sleeping)).toBe('pending');
	await jest.advanceTimersByTimeAsync(10_000);
	await expect(sleeping).rejects.toThrow('stopped');
});

test('without a stop it resolves after the time asked, on both', async () => {
	for (const workflowPackage of ['n8n-workflow', 'n8n-workflow-1.83'] as const) {
		const sleeping = transportOn(workflowPackage).sleep(5000, new AbortController().signal);
		await jest.advanceTimersByTimeAsync(4999);
		expect(await settled(sleeping)).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(await settled(sleeping)).toBe('resolved');
	}
});

test('a sleep longer than a timer can hold (24.8 days) is taken in parts, not ended after 1 ms', async () => {
	const sleeping = transportOn('n8n-workflow').sleep(MAX_TIMER_MS + 1000, new AbortController().signal);
	await jest.advanceTimersByTimeAsync(MAX_TIMER_MS);
	expect(await settled(sleeping)).toBe('pending');
	await jest.advanceTimersByTimeAsync(1000);
	expect(await settled(sleeping)).toBe('resolved');
});
