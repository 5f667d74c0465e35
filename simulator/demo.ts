/**
 * The demo set served by `npm run simulator` and named by the example workflows. The ids are
 * fixed so example workflow JSON can refer to them.
 *
 *   11111111-…  workflow "Log in"             4 steps (~300 ms each); result {loggedIn, user: args.username}
 *   22222222-…  workflow "Scrape listings"    3 steps; result: 5 listings {id, title, price}
 *   33333333-…  workflow "Checkout (fails)"   fails at step 2: "Element not found: #pay-button"
 *   44444444-…  talent   "Summarize page"     ~500 ms; result {summary}
 *   55555555-…  workflow "Order history"      needs the browser state "demo-login" (run "Log in"
 *                                             with preserve_state "demo-login" first, or share a session)
 *   66666666-…  workflow "Slow export"        10 steps of 1 s: something to cancel or to watch
 *   77777777-…  talent   "Fill form (fails)"  ~300 ms, then fails: "Field not found: email"
 */
import type { TalentDefinition, WorkflowDefinition } from './types';

export const DEMO_IDS = {
	loginWorkflow: '11111111-1111-4111-8111-111111111111',
	scrapeWorkflow: '22222222-2222-4222-8222-222222222222',
	failingWorkflow: '33333333-3333-4333-8333-333333333333',
	summarizeTalent: '44444444-4444-4444-8444-444444444444',
	ordersWorkflow: '55555555-5555-4555-8555-555555555555',
	slowWorkflow: '66666666-6666-4666-8666-666666666666',
	failingTalent: '77777777-7777-4777-8777-777777777777',
} as const;

/** The state the "Order history" demo workflow needs. */
export const DEMO_LOGIN_STATE = 'demo-login';

const LISTINGS = [
	{ id: 'L-1001', title: 'Oak desk, 140 cm', price: 189.0 },
	{ id: 'L-1002', title: 'Ergonomic office chair', price: 249.5 },
	{ id: 'L-1003', title: 'Standing lamp, brass', price: 74.9 },
	{ id: 'L-1004', title: 'Bookshelf, 5 shelves', price: 119.0 },
	{ id: 'L-1005', title: 'Wool rug, 200 x 300 cm', price: 329.0 },
];

export function demoData(): { workflows: WorkflowDefinition[]; talents: TalentDefinition[] } {
	return {
		workflows: [
			{
				id: DEMO_IDS.loginWorkflow,
				name: 'Log in',
				description: 'Signs in to the demo shop with args.username and args.password',
				steps: [
					{ instruction: 'Go to https://shop.example.com/login', durationMs: 300 },
					{ instruction: 'Type the username into the Email field', durationMs: 300 },
					{ instruction: 'Type the password into the Password field', durationMs: 300 },
					{ instruction: 'Click "Sign in"', durationMs: 300 },
				],
				result: { loggedIn: true, user: '{{args.username}}' },
				resultFormat: 'json',
			},
			{
				id: DEMO_IDS.scrapeWorkflow,
				name: 'Scrape listings',
				description: 'Collects the first five listings of the demo shop',
				steps: [
					{ instruction: 'Go to https://shop.example.com/listings', durationMs: 300 },
					{ instruction: 'Wait for the listing grid', durationMs: 200 },
					{
						instruction: 'Extract id, title and price of the first 5 listings',
						durationMs: 400,
						result: LISTINGS,
						resultFormat: 'json',
					},
				],
				result: LISTINGS,
				resultFormat: 'json',
			},
			{
				id: DEMO_IDS.failingWorkflow,
				name: 'Checkout (fails)',
				description: 'Tries to pay for the cart; the pay button is missing',
				steps: [
					{ instruction: 'Go to https://shop.example.com/cart', durationMs: 300 },
					{ instruction: 'Click the "Pay now" button', durationMs: 300 },
					{ instruction: 'Confirm the payment', durationMs: 300 },
				],
				failAtStep: 2,
				errorMessage: 'Element not found: #pay-button',
			},
			{
				id: DEMO_IDS.ordersWorkflow,
				name: 'Order history',
				description: `Reads the order history; needs the "${DEMO_LOGIN_STATE}" browser state`,
				steps: [
					{ instruction: 'Go to https://shop.example.com/account/orders', durationMs: 300 },
					{ instruction: 'Extract the orders table', durationMs: 300 },
				],
				requiresState: DEMO_LOGIN_STATE,
				result: [
					{ order: 'A-2001', total: 189.0, status: 'delivered' },
					{ order: 'A-2002', total: 74.9, status: 'shipped' },
				],
				resultFormat: 'json',
			},
			{
				id: DEMO_IDS.slowWorkflow,
				name: 'Slow export',
				description: 'Ten slow steps, for trying cancellation and polling',
				steps: Array.from({ length: 10 }, (_, index) => ({
					instruction: `Export page ${index + 1} of 10`,
					durationMs: 1000,
				})),
				result: { exportedPages: 10 },
				resultFormat: 'json',
			},
		],
		talents: [
			{
				id: DEMO_IDS.summarizeTalent,
				name: 'Summarize page',
				durationMs: 500,
				result: { summary: 'A furniture shop listing desks, chairs, lamps, shelves and rugs, priced 75 to 330.' },
				resultFormat: 'json',
			},
			{
				id: DEMO_IDS.failingTalent,
				name: 'Fill form (fails)',
				durationMs: 300,
				fail: 'Field not found: email',
			},
		],
	};
}
