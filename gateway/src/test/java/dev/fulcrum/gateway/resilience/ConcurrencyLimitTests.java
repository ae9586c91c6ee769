package dev.fulcrum.gateway.resilience;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The limit's rule, with the times given: windows close after both their duration and
 * their samples; of the windows that used half of the limit, one whose fastest answer
 * queued (against the baseline of the fastest windows) cuts it and any other grows it by
 * one; a window that used less leaves it.
 */
class ConcurrencyLimitTests {

	static final long MS = 1_000_000L;

	/**
	 * Limits from 2 to 10, starting at 4; windows of 100 ms and 5 answers; queueing at 10
	 * ms over the baseline; a queueing window halves the limit.
	 */
	final ConcurrencyLimit limit = new ConcurrencyLimit(
			new ConcurrencyLimit.Settings(4, 2, 10, 10 * MS, 100 * MS, 5, 0.5, 0));

	@Test
	void admitsUpToTheLimitAndAgainOncePlacesAreGivenBack() {
		for (int i = 0; i < 4; i++) {
			assertThat(this.limit.tryAcquire()).isTrue();
		}
		assertThat(this.limit.tryAcquire()).as("the fifth").isFalse();
		assertThat(this.limit.inFlight()).isEqualTo(4);
		this.limit.release(0, MS);
		this.limit.cancel();
		assertThat(this.limit.inFlight()).isEqualTo(2);
		assertThat(this.limit.tryAcquire()).isTrue();
		assertThat(this.limit.tryAcquire()).isTrue();
		assertThat(this.limit.tryAcquire()).isFalse();
	}

	@Test
	void aWindowWhoseFastestAnswerQueuedCutsTheLimitDownToItsFloor() {
		window(0, 4, MS);
		assertThat(this.limit.limit()).as("quick, used: grows").isEqualTo(5);
		window(200 * MS, 5, 30 * MS);
		assertThat(this.limit.limit()).as("30 ms against a baseline of 1 ms").isEqualTo(2);
		window(400 * MS, 2, 30 * MS);
		assertThat(this.limit.limit()).as("never below min-limit").isEqualTo(2);
	}

	@Test
	void oneQuickAnswerShowsThatSlowOnesAreSlowByDesignNotQueued() {
		window(0, 4, MS);
		for (int i = 0; i < 5; i++) {
			this.limit.tryAcquire();
		}
		this.limit.release(200 * MS, 500 * MS);
		this.limit.release(210 * MS, 500 * MS);
		this.limit.release(220 * MS, 2 * MS);
		this.limit.release(230 * MS, 500 * MS);
		this.limit.tryAcquire();
		this.limit.release(300 * MS, 500 * MS);
		assertThat(this.limit.limit()).as("used fully, not queueing: grows").isEqualTo(6);
	}

	@Test
	void aRouteSlowByDesignIsItsOwnBaseline() {
		for (int i = 0; i < 3; i++) {
			window(i * 1000 * MS, this.limit.limit(), 500 * MS);
		}
		assertThat(this.limit.baseline()).isEqualTo(500 * MS);
		assertThat(this.limit.limit()).as("every answer takes 500 ms, none waits: grows").isEqualTo(7);
	}

	@Test
	void theBaselineFollowsAFasterWindowAtOnceAndASlowerOneByAThousandth() {
		assertThat(ConcurrencyLimit.follow(-1, 30 * MS)).as("the first window").isEqualTo(30 * MS);
		assertThat(ConcurrencyLimit.follow(30 * MS, 2 * MS)).isEqualTo(2 * MS);
		assertThat(ConcurrencyLimit.follow(2 * MS, 502 * MS)).isEqualTo(2 * MS + 500_000);
		long baseline = 2 * MS;
		for (int window = 0; window < 100; window++) {
			baseline = ConcurrencyLimit.follow(baseline, 12 * MS);
		}
		assertThat(baseline).as("ten seconds of 12 ms windows move it by a tenth of the difference")
			.isBetween(2 * MS + 900_000, 2 * MS + 1_000_000);
	}

	@Test
	void aQuickWindowThatUsedHalfTheLimitGrowsItByOneUpToItsCeiling() {
		long at = 0;
		for (int i = 0; i < 10; i++) {
			window(at, this.limit.limit(), MS);
			at += 200 * MS;
		}
		assertThat(this.limit.limit()).as("never above max-limit").isEqualTo(10);
	}

	@Test
	void aQuickWindowThatUsedLessThanHalfLeavesTheLimit() {
		window(0, 1, MS);
		assertThat(this.limit.limit()).as("one at a time says nothing of more").isEqualTo(4);
	}

	@Test
	void aQueueingWindowThatUsedLessThanHalfLeavesTheLimit() {
		window(0, 1, MS);
		window(200 * MS, 1, 30 * MS);
		assertThat(this.limit.limit()).as("a stall at low load: cutting the limit would shed for nothing").isEqualTo(4);
		window(400 * MS, 2, 30 * MS);
		assertThat(this.limit.limit()).as("half of it in use").isEqualTo(2);
	}

	@Test
	void aWindowClosesOnlyAfterItsDurationAndItsSamples() {
		window(0, 1, MS);
		// The next window starts where that one closed, at 100 ms.
		answers(110 * MS, 10 * MS, 4, 30 * MS);
		assertThat(this.limit.limit()).as("5 answers within 50 ms").isEqualTo(4);
		this.limit.tryAcquire();
		this.limit.release(200 * MS, 30 * MS);
		assertThat(this.limit.limit()).as("the sixth, 100 ms on").isEqualTo(2);
	}

	@Test
	void theLimitNeverFallsBelowWhatTheLastSecondsGoodputNeedsAtTheFloorLatency() {
		// As this.limit, but with a floor at 50 ms each and room up to 100.
		ConcurrencyLimit floored = new ConcurrencyLimit(
				new ConcurrencyLimit.Settings(4, 2, 100, 10 * MS, 100 * MS, 5, 0.5, 50 * MS));
		for (int i = 0; i < 5; i++) {
			answer(floored, i * 25 * MS, MS);
		}
		assertThat(floored.limit()).as("quick, used: grows").isEqualTo(5);
		// Then an answer every 2.5 ms, each 30 ms against a baseline of 1 ms: queueing.
		long at = 200 * MS;
		for (; at < 1000 * MS; at += 2_500_000) {
			answer(floored, at, 30 * MS);
		}
		assertThat(floored.floor()).as("no second yet").isZero();
		assertThat(floored.limit()).as("the rule alone: cut to min-limit").isEqualTo(2);
		answer(floored, at, 30 * MS);
		assertThat(floored.floor()).as("326 answers in the first second, at 50 ms each: 16.3 under way").isEqualTo(17);
		assertThat(floored.limit()).as("the floor, over the rule").isEqualTo(17);
		// A second with 100 answers: the floor follows the goodput down.
		long next = at + 10 * MS;
		for (; next < at + 1000 * MS; next += 10 * MS) {
			answer(floored, next, 30 * MS);
		}
		assertThat(floored.limit()).as("until the second is over").isEqualTo(17);
		answer(floored, next, 30 * MS);
		assertThat(floored.floor()).isEqualTo(5);
		assertThat(floored.limit()).isEqualTo(5);
	}

	@Test
	void theFloorIsLittlesLawRoundedUp() {
		assertThat(ConcurrencyLimit.floor(1000, 1000 * MS, 50 * MS)).isEqualTo(50);
		assertThat(ConcurrencyLimit.floor(1001, 1000 * MS, 50 * MS)).isEqualTo(51);
		assertThat(ConcurrencyLimit.floor(1000, 2000 * MS, 50 * MS)).as("over two seconds").isEqualTo(25);
		assertThat(ConcurrencyLimit.floor(1000, 1000 * MS, 0)).as("no floor").isZero();
	}

	@Test
	void refusesSettingsThatCannotHold() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConcurrencyLimit.Settings(1, 2, 10, MS, MS, 1, 0.9, 0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConcurrencyLimit.Settings(4, 2, 10, MS, MS, 1, 1.0, 0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConcurrencyLimit.Settings(4, 2, 10, MS, MS, 0, 0.9, 0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConcurrencyLimit.Settings(4, 2, 10, 0, MS, 1, 0.9, 0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConcurrencyLimit.Settings(4, 2, 10, MS, MS, 1, 0.9, -1));
	}

	/** One answer, with as many requests under way as the limit allows. */
	private static void answer(ConcurrencyLimit limit, long at, long latency) {
		while (limit.tryAcquire()) {
			// Fill it.
		}
		limit.release(at, latency);
		while (limit.inFlight() > 0) {
			limit.cancel();
		}
	}

	/**
	 * A window: five answers 25 ms apart from {@code start}, {@code concurrent} under
	 * way.
	 */
	private void window(long start, int concurrent, long latency) {
		answers(start, 25 * MS, concurrent, latency);
	}

	/**
	 * Five answers {@code step} apart, each with {@code concurrent} requests under way.
	 */
	private void answers(long start, long step, int concurrent, long latency) {
		for (int i = 0; i < 5; i++) {
			while (this.limit.inFlight() < concurrent) {
				assertThat(this.limit.tryAcquire()).isTrue();
			}
			this.limit.release(start + i * step, latency);
		}
		while (this.limit.inFlight() > 0) {
			this.limit.cancel();
		}
	}

}
