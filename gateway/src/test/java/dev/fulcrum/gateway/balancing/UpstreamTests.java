package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outlier ejection, health-check thresholds and slow start of one instance.
 */
class UpstreamTests {

	static final BalancingProperties.Ejection EJECTION = new BalancingProperties.Ejection(3, Duration.ofSeconds(10),
			Duration.ofSeconds(25));

	static final BalancingProperties.HealthChecks CHECKS = new BalancingProperties.HealthChecks(Duration.ofSeconds(1),
			Duration.ofSeconds(1), 2, 3, Map.of());

	final Upstream upstream = new Upstream(URI.create("http://127.0.0.1:8091"));

	@Test
	void isEjectedAfterTheConfiguredFailuresInARow() {
		long now = 0;
		assertThat(this.upstream.countForEjection(true, EJECTION, now)).isFalse();
		assertThat(this.upstream.countForEjection(true, EJECTION, now)).isFalse();
		assertThat(this.upstream.countForEjection(true, EJECTION, now)).isTrue();
		assertThat(this.upstream.available(now)).isFalse();
		assertThat(this.upstream.ejections()).isEqualTo(1);
		assertThat(this.upstream.available(now + seconds(11))).as("after the ejection time").isTrue();
	}

	@Test
	void aSuccessInBetweenStartsTheCountAgain() {
		this.upstream.countForEjection(true, EJECTION, 0);
		this.upstream.countForEjection(true, EJECTION, 0);
		this.upstream.countForEjection(false, EJECTION, 0);
		this.upstream.countForEjection(true, EJECTION, 0);
		assertThat(this.upstream.countForEjection(true, EJECTION, 0)).isFalse();
		assertThat(this.upstream.available(0)).isTrue();
	}

	@Test
	void aSecondEjectionWithoutASuccessLastsLongerUpToTheMaximum() {
		ejectAt(0);
		assertThat(this.upstream.available(seconds(10))).as("10 s").isTrue();
		// Back, it fails again at once: 20 s this time.
		ejectAt(seconds(10));
		assertThat(this.upstream.available(seconds(29))).isFalse();
		assertThat(this.upstream.available(seconds(30))).isTrue();
		// And again: 30 s, capped at 25.
		ejectAt(seconds(30));
		assertThat(this.upstream.available(seconds(54))).isFalse();
		assertThat(this.upstream.available(seconds(55))).isTrue();
	}

	@Test
	void aSuccessResetsTheEjectionTime() {
		ejectAt(0);
		this.upstream.countForEjection(false, EJECTION, seconds(10));
		ejectAt(seconds(11));
		assertThat(this.upstream.available(seconds(21))).as("10 s again, not 20").isTrue();
	}

	@Test
	void healthChecksTakeItOutAndBringItBackAfterTheirThresholds() {
		assertThat(this.upstream.countCheck(false, CHECKS)).isFalse();
		assertThat(this.upstream.healthy()).isTrue();
		assertThat(this.upstream.countCheck(false, CHECKS)).isTrue();
		assertThat(this.upstream.healthy()).isFalse();
		assertThat(this.upstream.available(System.nanoTime())).isFalse();
		this.upstream.countCheck(true, CHECKS);
		this.upstream.countCheck(true, CHECKS);
		assertThat(this.upstream.healthy()).as("two of three passes").isFalse();
		assertThat(this.upstream.countCheck(true, CHECKS)).isTrue();
		assertThat(this.upstream.healthy()).isTrue();
	}

	private void ejectAt(long nanos) {
		for (int i = 0; i < EJECTION.consecutiveFailures(); i++) {
			this.upstream.countForEjection(true, EJECTION, nanos);
		}
	}

	private static long seconds(long seconds) {
		return Duration.ofSeconds(seconds).toNanos();
	}

	@Test
	void warmsUpFromTheMinimumShareToTheFullOneOverTheWindow() {
		BalancingProperties.SlowStart slowStart = new BalancingProperties.SlowStart(Duration.ofSeconds(30), 10, 1.0);
		assertThat(this.upstream.warmth(seconds(5), slowStart)).as("present from the start").isEqualTo(1.0);
		this.upstream.warmUp(seconds(100));
		assertThat(this.upstream.warmth(seconds(100), slowStart)).as("just joined").isEqualTo(0.10);
		assertThat(this.upstream.warmth(seconds(101), slowStart)).as("the floor, not 1/30").isEqualTo(0.10);
		assertThat(this.upstream.warmth(seconds(115), slowStart)).as("half-way, linear").isEqualTo(0.5);
		assertThat(this.upstream.warmth(seconds(130), slowStart)).as("after the window").isEqualTo(1.0);
		assertThat(this.upstream.warmth(seconds(115), slowStart)).as("warm for good").isEqualTo(1.0);
	}

	@Test
	void aMoreAggressiveSlowStartSendsMoreEarly() {
		BalancingProperties.SlowStart aggressive = new BalancingProperties.SlowStart(Duration.ofSeconds(30), 10, 2.0);
		this.upstream.warmUp(seconds(100));
		assertThat(this.upstream.warmth(seconds(107) + seconds(1) / 2, aggressive)).isCloseTo(0.5,
				org.assertj.core.data.Offset.offset(1e-9));
	}

	@Test
	void aZeroWindowTurnsSlowStartOff() {
		this.upstream.warmUp(seconds(100));
		assertThat(this.upstream.warmth(seconds(100), new BalancingProperties.SlowStart(Duration.ZERO, 10, 1.0)))
			.isEqualTo(1.0);
	}

}
