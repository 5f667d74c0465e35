// A process that reserves ports (scripts/ports.mjs) and holds them until its stdin closes:
// prints {"ports":[...]} once it holds them all. Args: <count> <low>-<high> <lock dir>.
import { reservePort } from '../../scripts/ports.mjs';

const [count, range, dir] = process.argv.slice(2);
const [low, high] = range.split('-').map(Number);
const leases = await Promise.all(Array.from({ length: Number(count) }, () => reservePort({ range: [low, high], dir })));
process.stdout.write(`${JSON.stringify({ ports: leases.map((l) => l.port) })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
