package dev.fulcrum.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The replica algorithm of the Kubernetes HorizontalPodAutoscaler (autoscaling/v2), for
 * one metric of one service, so that the launcher scales its local processes the way the
 * cluster scales pods: a behaviour tuned locally then means the same on Kubernetes.
 * <p>
 * Each {@link #recommend recommendation} goes through the steps of the HPA controller
 * ({@code pkg/controller/podautoscaler}): the raw replica count from the metric and the
 * tolerance, the stabilization windows over the recent raw counts, the scale rates over
 * the recent {@link #scaled scale events}, and the min/max bounds.
 * <p>
 * Pure on purpose: no threads, no clock, no I/O. The caller passes the time and reports
 * what it actually did, so every decision can be replayed in a test. Not thread-safe: one
 * control loop owns an instance.
 */
final class HorizontalAutoscaler {

	// Kubernetes compares in float64; this keeps exact ratios such as 1.1/0.1 or a ratio
	// right on the tolerance from tipping over because of the binary representation.
	private static final double EPSILON = 1e-9;

	private final Policy policy;

	private final List<Recommendation> recommendations = new ArrayList<>();

	private final List<ScaleEvent> events = new ArrayList<>();

	private boolean started;

	/**
	 * Creates an autoscaler with no history yet.
	 * @param policy how to scale
	 */
	HorizontalAutoscaler(Policy policy) {
		this.policy = Objects.requireNonNull(policy, "policy");
	}

	/**
	 * The policy this autoscaler applies.
	 * @return the policy
	 */
	Policy policy() {
		return this.policy;
	}

	/**
	 * Recommends the replica count for now. The raw count is remembered for the
	 * stabilization windows whether or not the caller follows the recommendation; only
	 * {@link #scaled} tells that it did.
	 * @param now the time of the measurement
	 * @param currentReplicas the replicas now
	 * @param metricTotal the metric summed over the current replicas (so the usage per
	 * replica is {@code metricTotal / currentReplicas})
	 * @return the decision, with a reason for the log
	 */
	Decision recommend(Instant now, int currentReplicas, double metricTotal) {
		Objects.requireNonNull(now, "now");
		if (currentReplicas < 0) {
			throw new IllegalArgumentException("currentReplicas must not be negative, was " + currentReplicas);
		}
		if (!(metricTotal >= 0) || Double.isInfinite(metricTotal)) {
			throw new IllegalArgumentException("metricTotal must be finite and not negative, was " + metricTotal);
		}
		boolean withinTolerance = false;
		int raw;
		if (currentReplicas == 0) {
			// Nothing to average over: any load at all needs at least one replica.
			raw = (metricTotal > 0) ? Math.max(1, replicasFor(metricTotal)) : 0;
		}
		else {
			double ratio = (metricTotal / currentReplicas) / this.policy.target();
			withinTolerance = Math.abs(ratio - 1) <= this.policy.tolerance() + EPSILON;
			raw = withinTolerance ? currentReplicas : replicasFor(metricTotal);
		}
		int stabilized = stabilize(now, currentReplicas, raw);
		int desired = stabilized;
		String limitedBy = null;
		if (stabilized > currentReplicas) {
			Limit limit = scaleUpLimit(now, currentReplicas);
			// As Kubernetes: the tighter of the rate and the maximum is the reason.
			if (this.policy.maxReplicas() > limit.replicas()) {
				if (stabilized > limit.replicas()) {
					desired = limit.replicas();
					limitedBy = limit.describe("up");
				}
			}
			else if (stabilized > this.policy.maxReplicas()) {
				desired = this.policy.maxReplicas();
				limitedBy = "clamped to max " + desired;
			}
		}
		else if (stabilized < currentReplicas) {
			Limit limit = scaleDownLimit(now, currentReplicas);
			if (this.policy.minReplicas() < limit.replicas()) {
				if (stabilized < limit.replicas()) {
					desired = limit.replicas();
					limitedBy = limit.describe("down");
				}
			}
			else if (stabilized < this.policy.minReplicas()) {
				desired = this.policy.minReplicas();
				limitedBy = "clamped to min " + desired;
			}
		}
		// Also brings a count outside the bounds back in, whatever the metric says.
		if (desired > this.policy.maxReplicas()) {
			desired = this.policy.maxReplicas();
			limitedBy = "clamped to max " + desired;
		}
		else if (desired < this.policy.minReplicas()) {
			desired = this.policy.minReplicas();
			limitedBy = "clamped to min " + desired;
		}
		String reason = reason(currentReplicas, metricTotal, withinTolerance, raw, stabilized, limitedBy, desired);
		return new Decision(currentReplicas, desired, raw, reason);
	}

	/**
	 * Records that the replicas were changed, for the scale rates: a rate limits the
	 * change over its period, so it has to know the changes already made in it.
	 * @param when when the change was made
	 * @param from the replicas before
	 * @param to the replicas after
	 */
	void scaled(Instant when, int from, int to) {
		Objects.requireNonNull(when, "when");
		if (from < 0 || to < 0) {
			throw new IllegalArgumentException("replicas must not be negative, were " + from + " and " + to);
		}
		Instant obsolete = when.minus(this.policy.longestPeriod());
		this.events.removeIf((event) -> !event.at().isAfter(obsolete));
		if (from != to && this.policy.longestPeriod().isPositive()) {
			this.events.add(new ScaleEvent(when, to - from));
		}
	}

	private int replicasFor(double metricTotal) {
		double replicas = Math.ceil(metricTotal / this.policy.target() - EPSILON);
		return (int) Math.min(replicas, Integer.MAX_VALUE);
	}

	private int stabilize(Instant now, int currentReplicas, int raw) {
		if (!this.started) {
			// As Kubernetes: the replicas found at start count as a recommendation, so a
			// fresh autoscaler does not scale in before a whole scale-down window.
			this.recommendations.add(new Recommendation(now, currentReplicas));
			this.started = true;
		}
		Duration upWindow = this.policy.scaleUp().stabilizationWindow();
		Duration downWindow = this.policy.scaleDown().stabilizationWindow();
		Instant upCutoff = now.minus(upWindow);
		Instant downCutoff = now.minus(downWindow);
		int up = raw;
		int down = raw;
		for (Recommendation recommendation : this.recommendations) {
			if (recommendation.at().isAfter(upCutoff)) {
				up = Math.min(up, recommendation.replicas());
			}
			if (recommendation.at().isAfter(downCutoff)) {
				down = Math.max(down, recommendation.replicas());
			}
		}
		Instant obsolete = now.minus((upWindow.compareTo(downWindow) > 0) ? upWindow : downWindow);
		this.recommendations.removeIf((recommendation) -> !recommendation.at().isAfter(obsolete));
		this.recommendations.add(new Recommendation(now, raw));
		// Scale up only as far as every recent recommendation agrees, and scale down only
		// as far as every recent one agrees: a short dip or spike moves nothing.
		int stabilized = currentReplicas;
		if (stabilized < up) {
			stabilized = up;
		}
		if (stabilized > down) {
			stabilized = down;
		}
		return stabilized;
	}

	private Limit scaleUpLimit(Instant now, int currentReplicas) {
		Behavior behavior = this.policy.scaleUp();
		if (behavior.select() == Select.DISABLED) {
			return new Limit(currentReplicas, null);
		}
		Limit limit = null;
		for (Rate rate : behavior.rates()) {
			long start = (long) currentReplicas - added(now, rate.period()) + deleted(now, rate.period());
			// In integers: 10 plus 10 % is 11, where float64 rounds it up to 12.
			long proposed = (rate.kind() == Kind.PODS) ? start + rate.value()
					: Math.ceilDiv(start * (100L + rate.value()), 100L);
			if (limit == null || ((behavior.select() == Select.MAX) ? proposed > limit.replicas()
					: proposed < limit.replicas())) {
				limit = new Limit(saturated(proposed), rate);
			}
		}
		// Changes made in the period can use up the rate: then wait, but never go back.
		return (limit.replicas() < currentReplicas) ? new Limit(currentReplicas, limit.rate()) : limit;
	}

	private Limit scaleDownLimit(Instant now, int currentReplicas) {
		Behavior behavior = this.policy.scaleDown();
		if (behavior.select() == Select.DISABLED) {
			return new Limit(currentReplicas, null);
		}
		Limit limit = null;
		for (Rate rate : behavior.rates()) {
			long start = (long) currentReplicas + deleted(now, rate.period()) - added(now, rate.period());
			long proposed = (rate.kind() == Kind.PODS) ? start - rate.value()
					: Math.floorDiv(start * (100L - rate.value()), 100L);
			// MAX means the largest change, which is the fewest replicas.
			if (limit == null || ((behavior.select() == Select.MAX) ? proposed < limit.replicas()
					: proposed > limit.replicas())) {
				limit = new Limit(saturated(proposed), rate);
			}
		}
		return (limit.replicas() > currentReplicas) ? new Limit(currentReplicas, limit.rate()) : limit;
	}

	private long added(Instant now, Duration period) {
		return changes(now, period, true);
	}

	private long deleted(Instant now, Duration period) {
		return changes(now, period, false);
	}

	private long changes(Instant now, Duration period, boolean up) {
		Instant cutoff = now.minus(period);
		long sum = 0;
		for (ScaleEvent event : this.events) {
			if (event.at().isAfter(cutoff) && (event.change() > 0) == up) {
				sum += Math.abs(event.change());
			}
		}
		return sum;
	}

	private static int saturated(long replicas) {
		return (int) Math.clamp(replicas, Integer.MIN_VALUE, Integer.MAX_VALUE);
	}

	private String reason(int currentReplicas, double metricTotal, boolean withinTolerance, int raw, int stabilized,
			String limitedBy, int desired) {
		StringBuilder reason = new StringBuilder();
		reason.append(this.policy.metric()).append(' ').append(number(metricTotal));
		reason.append(" over ").append(currentReplicas).append((currentReplicas == 1) ? " replica" : " replicas");
		if (currentReplicas > 0) {
			reason.append(" = ").append(number(metricTotal / currentReplicas)).append(" per replica");
		}
		reason.append(", target ").append(number(this.policy.target())).append(": ");
		reason.append(withinTolerance ? "within tolerance" : "want " + raw);
		boolean explained = false;
		if (stabilized != raw) {
			Behavior behavior = (stabilized < raw) ? this.policy.scaleUp() : this.policy.scaleDown();
			reason.append(", held at ").append(stabilized).append(" by the scale-");
			reason.append((stabilized < raw) ? "up" : "down").append(" stabilization window (");
			reason.append(duration(behavior.stabilizationWindow())).append(')');
			explained = true;
		}
		if (limitedBy != null) {
			reason.append(", ").append(limitedBy);
			explained = true;
		}
		if (!explained && desired == currentReplicas) {
			reason.append(": stay at ").append(currentReplicas);
		}
		return reason.toString();
	}

	private static String number(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

	private static String duration(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	/**
	 * How to scale one service on one metric: the fields of an HPA {@code spec} with a
	 * single {@code AverageValue} metric.
	 *
	 * @param metric the name of the metric, for the reasons ({@code cpu},
	 * {@code queue lag})
	 * @param target the metric value wanted per replica (0.5 cores, 100 queued jobs)
	 * @param minReplicas the fewest replicas, 0 to allow scaling to zero
	 * @param maxReplicas the most replicas
	 * @param tolerance how far the usage ratio may be from 1 before the count changes, so
	 * that noise around the target does not scale back and forth
	 * @param scaleUp how fast to scale up
	 * @param scaleDown how fast to scale down
	 */
	record Policy(String metric, double target, int minReplicas, int maxReplicas, double tolerance, Behavior scaleUp,
			Behavior scaleDown) {

		Policy {
			Objects.requireNonNull(metric, "metric");
			Objects.requireNonNull(scaleUp, "scaleUp");
			Objects.requireNonNull(scaleDown, "scaleDown");
			if (!(target > 0) || Double.isInfinite(target)) {
				throw new IllegalArgumentException("target must be positive, was " + target);
			}
			if (minReplicas < 0) {
				throw new IllegalArgumentException("minReplicas must not be negative, was " + minReplicas);
			}
			if (maxReplicas < Math.max(1, minReplicas)) {
				throw new IllegalArgumentException("maxReplicas must be at least 1 and at least minReplicas ("
						+ minReplicas + "), was " + maxReplicas);
			}
			if (!(tolerance >= 0 && tolerance < 1)) {
				throw new IllegalArgumentException("tolerance must be in [0, 1), was " + tolerance);
			}
		}

		/**
		 * A policy with the defaults of Kubernetes: tolerance 10 %; scale up at once (no
		 * window) by the larger of doubling and 4 replicas per 15 s; scale down only to
		 * the highest recommendation of the last 5 minutes, at most all but the minimum
		 * per 15 s.
		 * @param metric the name of the metric
		 * @param target the metric value wanted per replica
		 * @param minReplicas the fewest replicas
		 * @param maxReplicas the most replicas
		 * @return the policy
		 */
		static Policy of(String metric, double target, int minReplicas, int maxReplicas) {
			Duration period = Duration.ofSeconds(15);
			Behavior scaleUp = new Behavior(Duration.ZERO,
					List.of(new Rate(Kind.PERCENT, 100, period), new Rate(Kind.PODS, 4, period)), Select.MAX);
			Behavior scaleDown = new Behavior(Duration.ofMinutes(5), List.of(new Rate(Kind.PERCENT, 100, period)),
					Select.MAX);
			return new Policy(metric, target, minReplicas, maxReplicas, 0.1, scaleUp, scaleDown);
		}

		/**
		 * The same policy with other stabilization windows: tests and demos cannot wait
		 * the five minutes of the default scale-down window.
		 * @param scaleUpWindow the new scale-up stabilization window
		 * @param scaleDownWindow the new scale-down stabilization window
		 * @return the new policy
		 */
		Policy withWindows(Duration scaleUpWindow, Duration scaleDownWindow) {
			return new Policy(this.metric, this.target, this.minReplicas, this.maxReplicas, this.tolerance,
					this.scaleUp.withWindow(scaleUpWindow), this.scaleDown.withWindow(scaleDownWindow));
		}

		/**
		 * How long scale events matter: no rate looks further back.
		 * @return the longest rate period of both directions, zero if both are disabled
		 */
		Duration longestPeriod() {
			Duration longest = Duration.ZERO;
			for (Behavior behavior : List.of(this.scaleUp, this.scaleDown)) {
				for (Rate rate : behavior.rates()) {
					if (rate.period().compareTo(longest) > 0) {
						longest = rate.period();
					}
				}
			}
			return longest;
		}

	}

	/**
	 * How fast to scale in one direction: an HPA {@code behavior.scaleUp} or
	 * {@code behavior.scaleDown}.
	 *
	 * @param stabilizationWindow how far back the recommendations must agree before
	 * scaling in this direction, so that a short spike or dip does not scale
	 * @param rates the largest changes per period; at least one unless disabled
	 * @param select which rate applies when there are several
	 */
	record Behavior(Duration stabilizationWindow, List<Rate> rates, Select select) {

		Behavior {
			Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
			Objects.requireNonNull(select, "select");
			rates = List.copyOf(rates);
			if (stabilizationWindow.isNegative()) {
				throw new IllegalArgumentException(
						"stabilizationWindow must not be negative, was " + stabilizationWindow);
			}
			if (rates.isEmpty() && select != Select.DISABLED) {
				throw new IllegalArgumentException("at least one rate is needed unless scaling is disabled");
			}
		}

		/**
		 * The same behaviour with another stabilization window.
		 * @param window the new window
		 * @return the new behaviour
		 */
		Behavior withWindow(Duration window) {
			return new Behavior(window, this.rates, this.select);
		}

	}

	/**
	 * The largest change within a period: an HPA scaling policy.
	 *
	 * @param kind whether the value counts replicas or a percentage of the replicas at
	 * the start of the period
	 * @param value how many replicas, or what percentage
	 * @param period the period, sliding
	 */
	record Rate(Kind kind, int value, Duration period) {

		Rate {
			Objects.requireNonNull(kind, "kind");
			Objects.requireNonNull(period, "period");
			if (value <= 0) {
				throw new IllegalArgumentException("value must be positive, was " + value);
			}
			if (!period.isPositive()) {
				throw new IllegalArgumentException("period must be positive, was " + period);
			}
		}

		/**
		 * The rate as the reasons show it.
		 * @return for example {@code 100% per 15s} or {@code 4 pods per 15s}
		 */
		@Override
		public String toString() {
			String amount = (this.kind == Kind.PERCENT) ? this.value + "%"
					: this.value + ((this.value == 1) ? " pod" : " pods");
			return amount + " per " + duration(this.period);
		}

	}

	/**
	 * What the value of a {@link Rate} counts.
	 */
	enum Kind {

		/**
		 * Replicas.
		 */
		PODS,

		/**
		 * A percentage of the replicas at the start of the period.
		 */
		PERCENT

	}

	/**
	 * Which {@link Rate} applies when a behaviour has several.
	 */
	enum Select {

		/**
		 * The one that allows the largest change.
		 */
		MAX,

		/**
		 * The one that allows the smallest change.
		 */
		MIN,

		/**
		 * None: never scale in this direction.
		 */
		DISABLED

	}

	/**
	 * What the autoscaler recommends.
	 *
	 * @param current the replicas now
	 * @param desired the replicas to have
	 * @param raw the replicas the metric alone asks for, before the windows, rates and
	 * bounds
	 * @param reason one line for the log, saying why
	 */
	record Decision(int current, int desired, int raw, String reason) {

		/**
		 * Whether the caller has to change the replicas.
		 * @return {@code true} when the desired count is not the current one
		 */
		boolean changes() {
			return this.desired != this.current;
		}

	}

	private record Recommendation(Instant at, int replicas) {

	}

	private record ScaleEvent(Instant at, int change) {

	}

	private record Limit(int replicas, Rate rate) {

		String describe(String direction) {
			if (this.rate == null) {
				return "held at " + this.replicas + " because scaling " + direction + " is disabled";
			}
			return "limited to " + this.replicas + " by the scale-" + direction + " rate (" + this.rate + ")";
		}

	}

}
