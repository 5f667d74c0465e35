/** The queue-mode suite's workflows (test/e2e/queue.test.ts) and the Witrium workflows they run. */
import { DEMO_IDS } from '../../../simulator/demo';
import { PACKAGE, node } from './n8n';
import { longRunLoopWorkflow, postEachItem, webhookWorkflow } from './queue';

export const TICK_WORKFLOW = 'a0a0a0a0-0000-4000-8000-00000000a0a0'; // the trigger's: 5 s, longer than a poll waits
export const TRIGGER_MAX_WAIT_S = 1;
// The long-run loop (examples/long-run-without-holding-a-worker.json): 10 executions on one worker
// of concurrency 2, each on a 90 s run, reading it every 70 s (n8n stores a wait of 65 s or more).
export const LONG_RUN = 'c1c1c1c1-0000-4000-8000-00000000c1c1';
export const LONG_RUN_MS = 90_000;
export const LONG_WAIT_S = 70; // over 65 s: n8n measures the wait after computing it, so exactly 65 s can come out as 64.999 s and sleep in the worker
export const LONG_EXECUTIONS = 10;
export const SLOTS = 2;

export const IDS = {
	long: 'wfQueueLong',
	short: 'wfQueueShort',
	chain: 'wfQueueChain',
	batch: 'wfQueueBatch',
	many: 'wfQueueMany',
	stop: 'wfQueueStop',
	trigger: 'wfQueueTrigger',
	kill: 'wfQueueKill',
	janitor: 'wfQueueJanitor',
};

const witrium = (name: string) => `${PACKAGE}.${name}`;

/** Every workflow of the queue suite; workflows POST what they report to `collectorUrl` + trigger / long. */
export function queueWorkflows(collectorUrl: string): object[] {
	const session = (name: string, parameters: Record<string, unknown>) => node(name, witrium('witriumBrowserSession'), parameters);
	const logIn = (name: string, parameters: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
		node(name, witrium('witriumRunWorkflow'), {
			workflowId: DEMO_IDS.loginWorkflow,
			arguments: {
				argument: [
					{ name: 'username', value: '={{ $json.user }}' },
					{ name: 'password', value: 'pw' },
				],
			},
			options,
			...parameters,
		});
	const slowInSession = node('Slow Export', witrium('witriumRunWorkflow'), { workflowId: DEMO_IDS.slowWorkflow });
	const trigger = node(
		'Witrium Trigger',
		witrium('witriumTrigger'),
		{
			event: 'workflowResult',
			workflowId: TICK_WORKFLOW,
			emit: 'always',
			options: { maxWait: TRIGGER_MAX_WAIT_S },
			pollTimes: { item: [{ mode: 'everyMinute' }] },
		},
		{ position: [0, 0] },
	);
	const record = postEachItem('Record', `${collectorUrl}trigger`);
	return [
		longRunLoopWorkflow({
			id: IDS.long,
			webhookPath: 'q-long',
			witriumWorkflowId: LONG_RUN,
			waitSeconds: LONG_WAIT_S,
			reportUrl: `${collectorUrl}long`,
		}),
		webhookWorkflow(IDS.short, 'q-short', [logIn('Log In', { browserSessionId: '', arguments: { argument: [{ name: 'username', value: '={{ $json.body.user }}' }] } })]),
		webhookWorkflow(IDS.chain, 'q-chain', [
			session('Create Session', { operation: 'create' }),
			logIn('Log In', { arguments: { argument: [{ name: 'username', value: "={{ $('Webhook').item.json.body.user }}" }] } }),
			node('Summarize', witrium('witriumRunTalent'), { talentId: DEMO_IDS.summarizeTalent }),
			session('Close Session', { operation: 'close' }),
		]),
		webhookWorkflow(IDS.batch, 'q-batch', [
			node('Users', 'n8n-nodes-base.set', { mode: 'raw', jsonOutput: '={{ JSON.stringify({ user: $json.body.users }) }}', options: {} }, { typeVersion: 3.4 }),
			node('One Item per User', 'n8n-nodes-base.splitOut', { fieldToSplitOut: 'user', options: {} }),
			logIn('Log In Each', { browserSessionId: '' }, { maxConcurrency: 3 }),
		]),
		webhookWorkflow(IDS.many, 'q-many', [
			logIn('Log In', {
				browserSessionId: '={{ $json.body.browserSessionId }}',
				arguments: { argument: [{ name: 'username', value: '={{ $json.body.user }}' }] },
			}),
		]),
		webhookWorkflow(IDS.stop, 'q-stop', [node('Slow Export', witrium('witriumRunWorkflow'), { workflowId: DEMO_IDS.slowWorkflow, browserSessionId: '' })], 'onReceived'),
		webhookWorkflow(IDS.kill, 'q-kill', [session('Create Session', { operation: 'create' }), slowInSession, session('Close Session', { operation: 'close' })], 'onReceived'),
		webhookWorkflow(IDS.janitor, 'q-janitor', [session('Close Idle', { operation: 'closeIdle', idleMinutes: 0 })]),
		{
			id: IDS.trigger,
			name: 'queue e2e: Witrium Trigger',
			nodes: [trigger, record],
			connections: { [trigger.name]: { main: [[{ node: record.name, type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
	];
}
