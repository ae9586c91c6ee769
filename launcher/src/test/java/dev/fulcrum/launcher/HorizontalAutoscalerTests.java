package dev.fulcrum.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.fulcrum.launcher.HorizontalAutoscaler.Behavior;
import dev.fulcrum.launcher.HorizontalAutoscaler.Decision;
import dev.fulcrum.launcher.HorizontalAutoscaler.Kind;
import dev.fulcrum.launcher.HorizontalAutoscaler.Policy;
import dev.fulcrum.launcher.HorizontalAutoscaler.Rate;
import dev.fulcrum.launcher.HorizontalAutoscaler.Select;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HorizontalAutoscalerTests {

	private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

	private static final Duration FIFTEEN_SECONDS = Duration.ofSeconds(15);

	private static final Duration ONE_MINUTE = Duration.ofSeconds(60);

	@Test
	void hasTheDefaultsOfKubernetes() {
		Policy policy = Policy.of("cpu", 0.5, 1, 10);
		assertThat(policy.tolerance()).isEqualTo(0.1);
		assertThat(policy.scaleUp()).isEqualTo(new Behavior(Duration.ZERO,
				List.of(new Rate(Kind.PERCENT, 100, FIFTEEN_SECONDS), new Rate(Kind.PODS, 4, FIFTEEN_SECONDS)),
				Select.MAX));
		assertThat(policy.scaleDown()).isEqualTo(
				new Behavior(Duration.ofMinutes(5), List.of(new Rate(Kind.PERCENT, 100, FIFTEEN_SECONDS)), Select.MAX));
		Policy quick = policy.withWindows(Duration.ofSeconds(3), Duration.ofSeconds(30));
		assertThat(quick.scaleUp().stabilizationWindow()).isEqualTo(Duration.ofSeconds(3));
		assertThat(quick.scaleDown().stabilizationWindow()).isEqualTo(Duration.ofSeconds(30));
		assertThat(quick.scaleUp().rates()).isEqualTo(policy.scaleUp().rates());
		assertThat(quick.scaleDown().rates()).isEqualTo(policy.scaleDown().rates());
	}

	@Test
	void staysWithinTolerance() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(Policy.of("cpu", 0.5, 1, 10));
		Decision decision = autoscaler.recommend(T0, 2, 1.08);
		assertThat(decision).isEqualTo(new Decision(2, 2, 2,
				"cpu 1.08 over 2 replicas = 0.54 per replica, target 0.50: within tolerance: stay at 2"));
		assertThat(decision.changes()).isFalse();
		// Right on the tolerance (a ratio of 1.1 and 0.9) still counts as within.
		assertThat(autoscaler.recommend(T0, 2, 1.1).desired()).isEqualTo(2);
		assertThat(autoscaler.recommend(T0, 2, 0.9).desired()).isEqualTo(2);
		Decision outside = autoscaler.recommend(T0, 2, 1.12);
		assertThat(outside.raw()).isEqualTo(3);
		assertThat(outside.desired()).isEqualTo(3);
		assertThat(outside.changes()).isTrue();
	}

	@Test
	void scalesUpToTheRatioAtOnce() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(Policy.of("cpu", 0.5, 1, 10));
		assertThat(autoscaler.recommend(T0, 2, 1.84))
			.isEqualTo(new Decision(2, 4, 4, "cpu 1.84 over 2 replicas = 0.92 per replica, target 0.50: want 4"));
		// 1.1 / 0.1 is 11.000000000000002 in binary floating point: still 11, not 12.
		HorizontalAutoscaler fine = new HorizontalAutoscaler(Policy.of("cpu", 0.1, 1, 20));
		Decision decision = fine.recommend(T0, 6, 1.1);
		assertThat(decision.raw()).isEqualTo(11);
		assertThat(decision.desired()).isEqualTo(11);
	}

	@Test
	void scaleUpIsLimitedByTheLargerOfItsRates() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(Policy.of("cpu", 0.5, 1, 100));
		// From 2: doubling allows 4, four pods allow 6.
		assertThat(autoscaler.recommend(T0, 2, 10)).isEqualTo(new Decision(2, 6, 20,
				"cpu 10.00 over 2 replicas = 5.00 per replica, target 0.50: want 20, limited to 6 by the scale-up rate (4 pods per 15s)"));
		// From 8: doubling allows 16, four pods allow 12.
		assertThat(autoscaler.recommend(T0, 8, 40)).isEqualTo(new Decision(8, 16, 80,
				"cpu 40.00 over 8 replicas = 5.00 per replica, target 0.50: want 80, limited to 16 by the scale-up rate (100% per 15s)"));
	}

	@Test
	void scaleUpWithMinIsLimitedByTheSmallerOfItsRates() {
		Policy defaults = Policy.of("cpu", 0.5, 1, 100);
		Behavior cautious = new Behavior(Duration.ZERO, defaults.scaleUp().rates(), Select.MIN);
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(
				new Policy("cpu", 0.5, 1, 100, 0.1, cautious, defaults.scaleDown()));
		Decision fromTwo = autoscaler.recommend(T0, 2, 10);
		assertThat(fromTwo.desired()).isEqualTo(4);
		assertThat(fromTwo.reason()).endsWith("want 20, limited to 4 by the scale-up rate (100% per 15s)");
		Decision fromEight = autoscaler.recommend(T0, 8, 40);
		assertThat(fromEight.desired()).isEqualTo(12);
		assertThat(fromEight.reason()).endsWith("want 80, limited to 12 by the scale-up rate (4 pods per 15s)");
	}

	@Test
	void scaleDownWaitsForItsStabilizationWindow() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(
				Policy.of("cpu", 0.5, 1, 10).withWindows(Duration.ZERO, ONE_MINUTE));
		// As in Kubernetes, the replicas found at start count as a recommendation.
		assertThat(autoscaler.recommend(T0, 3, 0.3)).isEqualTo(new Decision(3, 3, 1,
				"cpu 0.30 over 3 replicas = 0.10 per replica, target 0.50: want 1, held at 3 by the scale-down stabilization window (60s)"));
		assertThat(autoscaler.recommend(T0.plusSeconds(59), 3, 0.3).desired()).isEqualTo(3);
		assertThat(autoscaler.recommend(T0.plusSeconds(60), 3, 0.3))
			.isEqualTo(new Decision(3, 1, 1, "cpu 0.30 over 3 replicas = 0.10 per replica, target 0.50: want 1"));
	}

	@Test
	void scaleDownTakesTheHighestRecommendationInTheWindow() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(
				Policy.of("cpu", 0.5, 1, 10).withWindows(Duration.ZERO, ONE_MINUTE));
		assertThat(autoscaler.recommend(T0, 4, 2.0).desired()).isEqualTo(4);
		Decision three = autoscaler.recommend(T0.plusSeconds(10), 4, 1.2);
		assertThat(three.raw()).isEqualTo(3);
		assertThat(three.desired()).isEqualTo(4);
		Decision one = autoscaler.recommend(T0.plusSeconds(20), 4, 0.4);
		assertThat(one.raw()).isEqualTo(1);
		assertThat(one.desired()).isEqualTo(4);
		// The 4s of T0 left the window; the 3 of T0+10s is the highest left.
		assertThat(autoscaler.recommend(T0.plusSeconds(61), 4, 0.4)).isEqualTo(new Decision(4, 3, 1,
				"cpu 0.40 over 4 replicas = 0.10 per replica, target 0.50: want 1, held at 3 by the scale-down stabilization window (60s)"));
		autoscaler.scaled(T0.plusSeconds(61), 4, 3);
		assertThat(autoscaler.recommend(T0.plusSeconds(71), 3, 0.3).desired()).isEqualTo(1);
	}

	@Test
	void scaleUpStabilizationTakesTheLowestRecommendationInTheWindow() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(
				Policy.of("cpu", 0.5, 1, 10).withWindows(Duration.ofSeconds(30), Duration.ZERO));
		assertThat(autoscaler.recommend(T0, 2, 1.0).desired()).isEqualTo(2);
		assertThat(autoscaler.recommend(T0.plusSeconds(10), 2, 1.5).raw()).isEqualTo(3);
		assertThat(autoscaler.recommend(T0.plusSeconds(20), 2, 3.0)).isEqualTo(new Decision(2, 2, 6,
				"cpu 3.00 over 2 replicas = 1.50 per replica, target 0.50: want 6, held at 2 by the scale-up stabilization window (30s)"));
		assertThat(autoscaler.recommend(T0.plusSeconds(31), 2, 3.0).desired()).isEqualTo(3);
		assertThat(autoscaler.recommend(T0.plusSeconds(41), 2, 3.0).desired()).isEqualTo(6);
	}

	@Test
	void percentRateCountsFromTheReplicasAtThePeriodStart() {
		Behavior half = new Behavior(Duration.ZERO, List.of(new Rate(Kind.PERCENT, 50, ONE_MINUTE)), Select.MAX);
		Policy policy = new Policy("cpu", 0.5, 1, 100, 0.1, half, half);

		HorizontalAutoscaler up = new HorizontalAutoscaler(policy);
		// 3 * 1.5 = 4.5, rounded up.
		Decision first = up.recommend(T0, 3, 10);
		assertThat(first.desired()).isEqualTo(5);
		assertThat(first.reason()).endsWith("want 20, limited to 5 by the scale-up rate (50% per 60s)");
		up.scaled(T0, 3, 5);
		// Still 3 at the start of the period: 5, not 5 * 1.5.
		assertThat(up.recommend(T0.plusSeconds(30), 5, 10).desired()).isEqualTo(5);
		assertThat(up.recommend(T0.plusSeconds(60), 5, 10).desired()).isEqualTo(8);

		HorizontalAutoscaler down = new HorizontalAutoscaler(policy);
		// 5 * 0.5 = 2.5, rounded down.
		Decision firstDown = down.recommend(T0, 5, 0.1);
		assertThat(firstDown.desired()).isEqualTo(2);
		assertThat(firstDown.reason()).endsWith("want 1, limited to 2 by the scale-down rate (50% per 60s)");
		down.scaled(T0, 5, 2);
		assertThat(down.recommend(T0.plusSeconds(30), 2, 0.1).desired()).isEqualTo(2);
		// Replicas added in the period count too: it still started at 3 + 3 - 1 = 5.
		down.scaled(T0.plusSeconds(40), 2, 3);
		assertThat(down.recommend(T0.plusSeconds(50), 3, 0.1).desired()).isEqualTo(2);
	}

	@Test
	void percentRateRoundsExactly() {
		Behavior tenPercent = new Behavior(Duration.ZERO, List.of(new Rate(Kind.PERCENT, 10, ONE_MINUTE)), Select.MAX);
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(
				new Policy("cpu", 0.5, 1, 100, 0.1, tenPercent, tenPercent));
		// 10 * 1.1 is 11.000000000000002 in binary floating point: 11, not 12.
		assertThat(autoscaler.recommend(T0, 10, 50).desired()).isEqualTo(11);
		assertThat(autoscaler.recommend(T0, 10, 0.5).desired()).isEqualTo(9);
	}

	@Test
	void eventsOlderThanThePeriodNoLongerLimit() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(Policy.of("cpu", 0.5, 1, 30));
		assertThat(autoscaler.recommend(T0, 2, 10).desired()).isEqualTo(6);
		autoscaler.scaled(T0, 2, 6);
		Decision held = autoscaler.recommend(T0.plusSeconds(14), 6, 10);
		assertThat(held.desired()).isEqualTo(6);
		assertThat(held.changes()).isFalse();
		assertThat(held.reason()).endsWith("want 20, limited to 6 by the scale-up rate (4 pods per 15s)");
		Decision free = autoscaler.recommend(T0.plusSeconds(15), 6, 10);
		assertThat(free.desired()).isEqualTo(12);
		assertThat(free.reason()).endsWith("want 20, limited to 12 by the scale-up rate (100% per 15s)");
	}

	@Test
	void clampsToMinAndMax() {
		Policy policy = Policy.of("cpu", 0.5, 2, 4);
		assertThat(new HorizontalAutoscaler(policy).recommend(T0, 3, 10)).isEqualTo(new Decision(3, 4, 20,
				"cpu 10.00 over 3 replicas = 3.33 per replica, target 0.50: want 20, clamped to max 4"));
		assertThat(new HorizontalAutoscaler(policy.withWindows(Duration.ZERO, Duration.ZERO)).recommend(T0, 3, 0.1))
			.isEqualTo(new Decision(3, 2, 1,
					"cpu 0.10 over 3 replicas = 0.03 per replica, target 0.50: want 1, clamped to min 2"));
		assertThat(new HorizontalAutoscaler(policy).recommend(T0, 6, 3.0)).isEqualTo(new Decision(6, 4, 6,
				"cpu 3.00 over 6 replicas = 0.50 per replica, target 0.50: within tolerance, clamped to max 4"));
		assertThat(new HorizontalAutoscaler(policy).recommend(T0, 1, 0.5)).isEqualTo(new Decision(1, 2, 1,
				"cpu 0.50 over 1 replica = 0.50 per replica, target 0.50: within tolerance, clamped to min 2"));
	}

	@Test
	void disabledDirectionNeverScales() {
		Policy base = Policy.of("cpu", 0.5, 1, 10).withWindows(Duration.ZERO, Duration.ZERO);
		Behavior disabled = new Behavior(Duration.ZERO, List.of(), Select.DISABLED);

		HorizontalAutoscaler neverDown = new HorizontalAutoscaler(
				new Policy("cpu", 0.5, 1, 10, 0.1, base.scaleUp(), disabled));
		Decision low = neverDown.recommend(T0, 4, 0.4);
		assertThat(low.desired()).isEqualTo(4);
		assertThat(low.reason()).endsWith("want 1, held at 4 because scaling down is disabled");
		assertThat(neverDown.recommend(T0, 4, 4.0).desired()).isEqualTo(8);

		HorizontalAutoscaler neverUp = new HorizontalAutoscaler(
				new Policy("cpu", 0.5, 1, 10, 0.1, disabled, base.scaleDown()));
		Decision high = neverUp.recommend(T0, 2, 10);
		assertThat(high.desired()).isEqualTo(2);
		assertThat(high.reason()).endsWith("want 20, held at 2 because scaling up is disabled");
		assertThat(neverUp.recommend(T0, 4, 0.4).desired()).isEqualTo(1);
	}

	@Test
	void zeroReplicasWakeOnAnyLoad() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(Policy.of("queue lag", 100, 0, 10));
		assertThat(autoscaler.recommend(T0, 0, 0))
			.isEqualTo(new Decision(0, 0, 0, "queue lag 0.00 over 0 replicas, target 100.00: want 0: stay at 0"));
		assertThat(autoscaler.recommend(T0, 0, 1))
			.isEqualTo(new Decision(0, 1, 1, "queue lag 1.00 over 0 replicas, target 100.00: want 1"));
		assertThat(autoscaler.recommend(T0, 0, 1000)).isEqualTo(new Decision(0, 4, 10,
				"queue lag 1000.00 over 0 replicas, target 100.00: want 10, limited to 4 by the scale-up rate (4 pods per 15s)"));
	}

	@Test
	void scalesToZeroWithoutLoadWhenTheMinimumAllows() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(
				Policy.of("queue lag", 100, 0, 10).withWindows(Duration.ZERO, Duration.ZERO));
		assertThat(autoscaler.recommend(T0, 2, 0)).isEqualTo(
				new Decision(2, 0, 0, "queue lag 0.00 over 2 replicas = 0.00 per replica, target 100.00: want 0"));
	}

	@Test
	void followsTheLoadUpWithinItsRateAndDownAfterItsWindow() {
		Rate doubling = new Rate(Kind.PERCENT, 100, FIFTEEN_SECONDS);
		Policy policy = new Policy("cpu", 0.5, 1, 10, 0.1, new Behavior(Duration.ZERO, List.of(doubling), Select.MAX),
				new Behavior(ONE_MINUTE, List.of(doubling), Select.MAX));
		Loop loop = new Loop(new HorizontalAutoscaler(policy), 1);

		// Load rises to 1.84 cores: 4 replicas wanted, at most doubling per 15 s.
		assertThat(loop.at(0, 1.84)).isEqualTo(new Decision(1, 2, 4,
				"cpu 1.84 over 1 replica = 1.84 per replica, target 0.50: want 4, limited to 2 by the scale-up rate (100% per 15s)"));
		assertThat(loop.at(5, 1.84).desired()).isEqualTo(2);
		assertThat(loop.at(15, 1.84).desired()).isEqualTo(4);
		assertThat(loop.at(30, 1.84).reason()).endsWith("within tolerance: stay at 4");

		// Load falls to 0.4: 1 replica wanted, held until the last 4 is a minute old.
		assertThat(loop.at(45, 0.4)).isEqualTo(new Decision(4, 4, 1,
				"cpu 0.40 over 4 replicas = 0.10 per replica, target 0.50: want 1, held at 4 by the scale-down stabilization window (60s)"));
		assertThat(loop.at(60, 0.4).desired()).isEqualTo(4);
		assertThat(loop.at(89, 0.4).desired()).isEqualTo(4);
		assertThat(loop.at(90, 0.4).desired()).isEqualTo(1);
		assertThat(loop.replicas).isEqualTo(1);
		assertThat(loop.at(105, 0.4).changes()).isFalse();
	}

	@Test
	void rejectsAnInvalidPolicy() {
		assertThatIllegalArgumentException().isThrownBy(() -> Policy.of("cpu", 0.5, -1, 4));
		assertThatIllegalArgumentException().isThrownBy(() -> Policy.of("cpu", 0.5, 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> Policy.of("cpu", 0.5, 5, 4));
		assertThatIllegalArgumentException().isThrownBy(() -> Policy.of("cpu", 0, 1, 4));
		assertThatIllegalArgumentException().isThrownBy(() -> Policy.of("cpu", Double.NaN, 1, 4));
		Policy valid = Policy.of("cpu", 0.5, 1, 4);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Policy("cpu", 0.5, 1, 4, 1.0, valid.scaleUp(), valid.scaleDown()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Policy("cpu", 0.5, 1, 4, -0.1, valid.scaleUp(), valid.scaleDown()));
		assertThatIllegalArgumentException().isThrownBy(() -> valid.withWindows(Duration.ofSeconds(-1), ONE_MINUTE));
		assertThatIllegalArgumentException().isThrownBy(() -> new Behavior(Duration.ZERO, List.of(), Select.MAX));
		assertThatIllegalArgumentException().isThrownBy(() -> new Rate(Kind.PODS, 0, FIFTEEN_SECONDS));
		assertThatIllegalArgumentException().isThrownBy(() -> new Rate(Kind.PERCENT, 100, Duration.ZERO));
	}

	@Test
	void rejectsAnImpossibleMeasurement() {
		HorizontalAutoscaler autoscaler = new HorizontalAutoscaler(Policy.of("cpu", 0.5, 1, 4));
		assertThatIllegalArgumentException().isThrownBy(() -> autoscaler.recommend(T0, -1, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> autoscaler.recommend(T0, 2, -0.5));
		assertThatIllegalArgumentException().isThrownBy(() -> autoscaler.recommend(T0, 2, Double.NaN));
		assertThatIllegalArgumentException().isThrownBy(() -> autoscaler.scaled(T0, -1, 2));
	}

	/**
	 * A control loop as the launcher runs it: it follows every decision and reports it.
	 */
	private static final class Loop {

		private final HorizontalAutoscaler autoscaler;

		private int replicas;

		Loop(HorizontalAutoscaler autoscaler, int replicas) {
			this.autoscaler = autoscaler;
			this.replicas = replicas;
		}

		Decision at(long seconds, double metricTotal) {
			Instant now = T0.plusSeconds(seconds);
			Decision decision = this.autoscaler.recommend(now, this.replicas, metricTotal);
			if (decision.changes()) {
				this.autoscaler.scaled(now, this.replicas, decision.desired());
				this.replicas = decision.desired();
			}
			return decision;
		}

	}

}
