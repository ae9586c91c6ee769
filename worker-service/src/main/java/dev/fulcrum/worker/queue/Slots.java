package dev.fulcrum.worker.queue;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many jobs a worker runs at once ({@code concurrency}), as slots that give
 * themselves back: the reader takes every free slot as a {@link Lease}, hands one on to
 * each job it got, and the lease returns the rest when closed; each job's {@link Slot}
 * returns itself once, whichever way the job ends.
 */
final class Slots {

	private final Semaphore free;

	Slots(int count) {
		// Fair: readers of several shards wait for free slots in turn.
		this.free = new Semaphore(count, true);
	}

	/**
	 * Waits for a free slot, then takes every free one.
	 * @return the slots taken, at least one
	 * @throws InterruptedException if interrupted while waiting
	 */
	Lease takeFree() throws InterruptedException {
		this.free.acquire();
		return new Lease(1 + this.free.drainPermits());
	}

	/**
	 * Slots the reader holds while it asks for work; closing returns those not handed on.
	 */
	final class Lease implements AutoCloseable {

		private int held;

		private Lease(int held) {
			this.held = held;
		}

		/** How many slots are held, not yet handed on. */
		int size() {
			return this.held;
		}

		/**
		 * Gives back every slot held beyond some.
		 * @param most how many to keep at most
		 */
		void keep(int most) {
			if (this.held > most) {
				Slots.this.free.release(this.held - most);
				this.held = most;
			}
		}

		/**
		 * Hands one slot on, for one job.
		 * @return the job's slot
		 */
		Slot handOn() {
			if (this.held == 0) {
				throw new IllegalStateException("no slot left to hand on");
			}
			this.held--;
			return new Slot();
		}

		@Override
		public void close() {
			Slots.this.free.release(this.held);
			this.held = 0;
		}

	}

	/** One job's slot: closing it returns it, once. */
	final class Slot implements AutoCloseable {

		private final AtomicBoolean returned = new AtomicBoolean();

		private Slot() {
		}

		@Override
		public void close() {
			if (this.returned.compareAndSet(false, true)) {
				Slots.this.free.release();
			}
		}

	}

}
