/**
 * One signal for "something the test watches happened" (a simulator change, a request to a test
 * server), so a test waits on conditions over several sources without polling a clock.
 */
import type { WitriumSimulator } from '../../../simulator';

export class Changes {
	private readonly listeners = new Set<() => void>();
	private scheduled = false;
	private isClosed = false;

	get closed(): boolean {
		return this.isClosed;
	}

	/** Call on every change; listeners run once per batch of changes, after the current task. */
	readonly notify = (): void => {
		if (this.scheduled) return;
		this.scheduled = true;
		queueMicrotask(() => {
			this.scheduled = false;
			for (const listener of [...this.listeners]) listener();
		});
	};

	/** Relays every change of the simulator (its requests, answers and timed run changes). */
	watch(sim: WitriumSimulator): void {
		void sim.until(() => {
			this.notify();
			return this.isClosed;
		});
	}

	/** Runs `listener` on every change until closed. */
	each(listener: () => void): void {
		this.listeners.add(() => {
			if (!this.isClosed) listener();
		});
	}

	/** Resolves true once `condition()` holds (checked now and after each change), false if closed first. */
	until(condition: () => boolean): Promise<boolean> {
		return new Promise((resolve) => {
			const check = () => {
				const met = !this.isClosed && condition();
				if (!met && !this.isClosed) return;
				this.listeners.delete(check);
				resolve(met);
			};
			this.listeners.add(check);
			check();
		});
	}

	/** Ends every wait (they resolve false) and every `each`. */
	close(): void {
		this.isClosed = true;
		for (const listener of [...this.listeners]) listener();
		this.listeners.clear();
	}
}
