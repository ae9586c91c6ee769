package dev.fulcrum.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The highest arrival rate a stack sustains: steps of constant rate, each raised by a
 * factor while the last one passed (p99 within the target and failures within the allowed
 * share), then halved intervals between the best pass and the first failure. A rate that
 * fails is held once more before it counts as failed. A step's own first seconds (queues
 * filling from the step before) count like the rest: a rate that needs a quiet start is
 * not sustainable.
 *
 * @param start the first rate
 * @param growth the factor between rates while they pass (1.25: +25 %)
 * @param refinements steps between the best pass and the first failure once one failed
 * @param step how long each rate is held
 * @param maxP99Millis the latency a pass stays within, at p99
 * @param maxFailedShare the share of failed requests a pass stays within (0.01: 1 %)
 * @param ceiling a rate not to go past, whatever passes
 */
public record RateSearch(double start, double growth, int refinements, Duration step, double maxP99Millis,
		double maxFailedShare, double ceiling) {

	public RateSearch {
		if (start <= 0 || growth <= 1 || refinements < 0 || ceiling < start) {
			throw new IllegalArgumentException("a search needs 0 < start <= ceiling and growth > 1");
		}
	}

	/**
	 * Searches.
	 * @param connections to the server the requests go to
	 * @param requests what to send
	 * @return every step, and the highest rate that passed
	 */
	public Result run(HttpConnections connections, OpenLoad.Requests requests) {
		return run(connections, requests, Map::of);
	}

	/**
	 * Searches, and says what each step cost: how much each counter (the CPU time of each
	 * part of the stack, the commands Redis ran) rose per request.
	 * @param connections to the server the requests go to
	 * @param requests what to send
	 * @param counters read before and after each step
	 * @return every step, and the highest rate that passed
	 */
	public Result run(HttpConnections connections, OpenLoad.Requests requests, Counters counters) {
		// The first rate once, not counted: connections open and code paths warm up.
		measure(connections, requests, this.start, Map::of);
		List<Step> steps = new ArrayList<>();
		double rate = this.start;
		Step best = null;
		Step failed = null;
		while (rate <= this.ceiling) {
			Step step = attempt(connections, requests, rate, counters, steps);
			if (!step.passed()) {
				failed = step;
				break;
			}
			best = step;
			rate = (rate * this.growth > this.ceiling && rate < this.ceiling) ? this.ceiling : rate * this.growth;
		}
		for (int i = 0; i < this.refinements && failed != null; i++) {
			double low = (best != null) ? best.rate() : 0;
			double middle = (low + failed.rate()) / 2;
			if (failed.rate() - low < Math.max(1, low * 0.02)) {
				break;
			}
			Step step = attempt(connections, requests, middle, counters, steps);
			if (step.passed()) {
				best = step;
			}
			else {
				failed = step;
			}
		}
		return new Result(List.copyOf(steps), best);
	}

	/**
	 * Holds a rate, and once more if it failed: one stall (a garbage collection stretched
	 * by a small CPU quota, another process on the machine) does not decide, while a rate
	 * past the capacity fails both times. Both steps are recorded.
	 */
	private Step attempt(HttpConnections connections, OpenLoad.Requests requests, double rate, Counters counters,
			List<Step> steps) {
		Step step = measure(connections, requests, rate, counters);
		steps.add(step);
		if (!step.passed()) {
			step = measure(connections, requests, rate, counters);
			steps.add(step);
		}
		return step;
	}

	private Step measure(HttpConnections connections, OpenLoad.Requests requests, double rate, Counters counters) {
		Schedule schedule = new Schedule(List.of(new Schedule.Phase("step", this.step, rate)));
		Map<String, Long> before = counters.read();
		if (!before.isEmpty()) {
			// Reading the counters may cost CPU of its own (processes started to read
			// them): let it settle before the step.
			LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
		}
		// Enough under way for two seconds of latency, far past any pass; and at most
		// 2,000 connections: Docker's port proxy stops for good when it runs out of file
		// descriptors (two per connection), and a failing step needs no more.
		Timeline timeline = OpenLoad.run(connections, schedule, requests,
				(int) Math.min(2_000, Math.max(100, rate * 2)), null);
		Map<String, Long> after = counters.read();
		Timeline.Summary summary = timeline.summary(0, timeline.length());
		double failedShare = summary.failed() / (double) Math.max(1, summary.offered());
		boolean passed = summary.p99Millis() <= this.maxP99Millis && failedShare <= this.maxFailedShare;
		Map<String, Double> perRequest = new LinkedHashMap<>();
		after.forEach((counter, value) -> {
			Long start = before.get(counter);
			if (start != null && summary.offered() > 0) {
				perRequest.put(counter, (value - start) / (double) summary.offered());
			}
		});
		return new Step(rate, summary, passed, Collections.unmodifiableMap(perRequest));
	}

	/** Counters of a stack that only rise: CPU time by part, commands run. */
	@FunctionalInterface
	public interface Counters {

		/**
		 * Reads the counters.
		 * @return each counter's value by name (one missing from either reading of a step
		 * is left out of that step)
		 */
		Map<String, Long> read();

	}

	/**
	 * One rate held for a step.
	 *
	 * @param rate requests a second offered
	 * @param summary what came back
	 * @param passed whether it was sustained
	 * @param perRequest how much each counter rose per request offered (empty without
	 * counters)
	 */
	public record Step(double rate, Timeline.Summary summary, boolean passed, Map<String, Double> perRequest) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "%7.0f/s %s %s", this.rate, this.passed ? "pass" : "FAIL", this.summary);
		}

	}

	/**
	 * What a search found.
	 *
	 * @param steps every step, in order
	 * @param best the highest rate that passed, or {@code null} if even the first failed
	 */
	public record Result(List<Step> steps, Step best) {

		/** The highest sustained rate, or 0. */
		public double sustained() {
			return (this.best != null) ? this.best.rate() : 0;
		}

	}

}
