// A lock directory, so two processes never install into one folder at once.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pidAlive } from '../ports.mjs';
import { log } from './process.mjs';

/** A lock directory (atomic mkdir) so two processes never install into one folder at once. */
export async function withLock(lockDir, what, fn) {
	let announced = false;
	for (;;) {
		try {
			await fsp.mkdir(lockDir);
			await fsp.writeFile(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			const pid = Number(await fsp.readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => '0'));
			if (pid && !pidAlive(pid)) {
				await fsp.rm(lockDir, { recursive: true, force: true }); // its owner died
				continue;
			}
			if (!announced) log(`waiting for another process (pid ${pid || '?'}) that is installing ${what} ...`);
			announced = true;
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await fn();
	} finally {
		await fsp.rm(lockDir, { recursive: true, force: true });
	}
}
