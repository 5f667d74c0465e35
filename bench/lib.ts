/** Small helpers shared by the bench sections: statistics, tables, machine facts, a worker pool. */
import { execSync } from 'node:child_process';
import os from 'node:os';

/** Runs of one workflow vary by ±6 % (issue 18). */
export const RUN_SPREAD = 0.06;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: number[]): number {
	return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A fixed-width text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = [headers, ...rows.map((row) => row.map(String))];
	const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
	const line = (row: string[]) =>
		row
			.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
			.join('  ')
			.trimEnd();
	return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The commit measured, with `+dirty` when the work tree differs from it: a published figure names the code it came from. */
export function commit(): string {
	try {
		const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
		const dirty = execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim() !== '';
		return dirty ? `${head}+dirty` : head;
	} catch {
		return 'unknown';
	}
}

export interface Machine {
	nproc: number;
	cpuModel: string;
	node: string;
	platform: string;
	totalMemoryMb: number;
	loadAverage: number[];
}

export function machine(): Machine {
	let nproc = os.availableParallelism?.() ?? os.cpus().length;
	try {
		nproc = Number(execSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
	} catch {
		// nproc(1) missing: keep Node's count
	}
	return {
		nproc,
		cpuModel: os.cpus()[0]?.model ?? 'unknown',
		node: process.version,
		platform: `${os.type()} ${os.release()} ${os.arch()}`,
		totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
		loadAverage: os.loadavg().map((v) => round(v)),
	};
}

/** Runs `count` tasks, at most `concurrency` at once. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export interface Goal {
	name: string;
	goal: string;
	value: string;
	met: boolean;
}

export const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
