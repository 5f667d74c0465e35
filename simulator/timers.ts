/**
 * Every timer the simulator starts goes through here, so stop() and reset() can clear them all
 * and jest exits without a dangling handle.
 */
export class TimerRegistry {
	private readonly pending = new Set<NodeJS.Timeout>();

	/** `fired` runs after each callback (the simulator's state may have changed). */
	constructor(private readonly fired: () => void = () => {}) {}

	/** Runs `callback` after `ms`; returns a function that cancels it. */
	after(ms: number, callback: () => void): () => void {
		const handle = setTimeout(() => {
			this.pending.delete(handle);
			callback();
			this.fired();
		}, Math.max(0, ms));
		this.pending.add(handle);
		return () => {
			clearTimeout(handle);
			this.pending.delete(handle);
		};
	}

	clearAll(): void {
		for (const handle of this.pending) clearTimeout(handle);
		this.pending.clear();
	}
}
