package dev.fulcrum.gateway.balancing;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.fulcrum.testsupport.TestBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance that DNS adds while it may still be starting (a replica scaled out) joins
 * when its first health check passes, checked every second, and takes no request before.
 * The regular checks are not started here: only joining is at work.
 */
class HealthCheckerTests {

	final TestBackend backend = new TestBackend("new");

	final URI name = URI.create("http://api-service:" + URI.create(this.backend.url()).getPort());

	/** 127.0.0.2 is there from the start; the backend, on 127.0.0.1, is added later. */
	final List<String> answers = new ArrayList<>(List.of("127.0.0.2"));

	final UpstreamPools pools = new UpstreamPools(new UpstreamProperties(Map.of(), Map.of("api-service", this.name),
			Duration.ofHours(1), Map.of(), Duration.ofHours(1)), (host) -> {
				List<InetAddress> addresses = new ArrayList<>();
				for (String answer : this.answers) {
					addresses.add(InetAddress.getByName(answer));
				}
				return addresses;
			});

	final HealthChecker checker = new HealthChecker(this.pools,
			new BalancingProperties("round-robin", Map.of(), 1.25, "fulcrum_sticky",
					new BalancingProperties.Ejection(5, Duration.ofSeconds(10), Duration.ofMinutes(5)),
					new BalancingProperties.HealthChecks(Duration.ofHours(1), Duration.ofSeconds(1), 2, 2,
							Map.of("api-service", "/health")),
					new BalancingProperties.Retry(2, List.of(502, 503, 504), 20, 10, Duration.ofSeconds(10)),
					new BalancingProperties.SlowStart(Duration.ofSeconds(30), 10, 1.0)));

	@AfterEach
	void stop() {
		this.pools.destroy();
		this.backend.close();
	}

	@Test
	void aNewInstanceTakesNoRequestUntilItsFirstHealthCheckPassesAndJoinsWithinSeconds() {
		this.backend.healthy = false;
		this.answers.add("127.0.0.1");
		this.pools.lookUp("api-service", this.name);
		Upstream added = this.pools.all()
			.get("api-service")
			.stream()
			.filter((upstream) -> upstream.id().startsWith("127.0.0.1:"))
			.findFirst()
			.orElseThrow();
		assertThat(added.joining()).isTrue();
		assertThat(ids()).as("while its checks fail").containsExactly("127.0.0.2:" + this.name.getPort());
		await().pollDelay(Duration.ofMillis(2_500)).until(() -> true);
		assertThat(ids()).as("still, after a few failed checks").containsExactly("127.0.0.2:" + this.name.getPort());

		this.backend.healthy = true;
		await().atMost(Duration.ofSeconds(3))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> ids().contains("127.0.0.1:" + this.name.getPort()));
		assertThat(added.joining()).isFalse();
		assertThat(added.healthy()).isTrue();
	}

	@Test
	void theInstancesOfTheFirstLookUpTakeRequestsAtOnce() {
		assertThat(this.pools.all().get("api-service")).allSatisfy((upstream) -> {
			assertThat(upstream.joining()).isFalse();
			assertThat(upstream.healthy()).isTrue();
		});
	}

	private List<String> ids() {
		return this.pools.available("api-service").stream().map(Upstream::id).toList();
	}

}
