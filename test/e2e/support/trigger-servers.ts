/**
 * The servers the trigger suite's workflows talk to besides Witrium: a sink the emitted items are
 * sent to, and an RSS feed that fails its first requests. Both tell `onChange` about every hit.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
	path: string;
	at: number;
}

async function listen(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
	const server = http.createServer(handle);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** Answers 200 to every request and records its path (a workflow's HTTP Request node calls it). */
export async function startSink(onChange: () => void) {
	const hits: Hit[] = [];
	const server = await listen((req, res) => {
		hits.push({ path: req.url ?? '', at: Date.now() });
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		onChange();
	});
	return { ...server, hits };
}

/** An RSS 2.0 feed with one item that answers 500 to its first `failures` requests. */
export async function startFeed(failures: number, onChange: () => void) {
	const hits: Array<Hit & { status: number }> = [];
	const feed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>e2e feed</title><link>http://example.invalid/</link><description>e2e</description>
<item><title>First</title><link>http://example.invalid/1</link><guid>item-1</guid><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`;
	const server = await listen((req, res) => {
		const status = hits.length < failures ? 500 : 200;
		hits.push({ path: req.url ?? '', at: Date.now(), status });
		if (status === 200) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed);
		else res.writeHead(status, { 'content-type': 'text/plain' }).end('feed down');
		onChange();
	});
	return { ...server, hits };
}
