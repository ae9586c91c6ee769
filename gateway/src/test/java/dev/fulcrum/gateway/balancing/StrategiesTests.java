package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The property of each strategy, on instances whose load and latency the test sets.
 */
class StrategiesTests {

	static final Strategy.Client ANYONE = new Strategy.Client("192.0.2.1", null);

	@Test
	void roundRobinGivesEachInstanceTheSameShare() {
		List<Upstream> upstreams = upstreams(3);
		Map<Upstream, Long> picks = pick(Strategies.create("round-robin", 1.25), upstreams, 300);
		assertThat(picks.values()).containsOnly(100L);
	}

	@Test
	void randomSpreadsEvenlyWithinChance() {
		List<Upstream> upstreams = upstreams(3);
		Map<Upstream, Long> picks = pick(Strategies.create("random", 1.25), upstreams, 30_000);
		// 10 000 expected each; 5 standard deviations is about 410.
		assertThat(picks.values()).allSatisfy((count) -> assertThat(count).isBetween(9_500L, 10_500L));
	}

	@Test
	void weightedGivesEachItsWeightAndSpreadsTheHeavyOne() {
		Upstream a = new Upstream(URI.create("http://a:1"), 5, new PeakEwma());
		Upstream b = new Upstream(URI.create("http://b:1"), 1, new PeakEwma());
		Upstream c = new Upstream(URI.create("http://c:1"), 1, new PeakEwma());
		Strategy weighted = Strategies.create("weighted", 1.25);
		List<String> first = IntStream.range(0, 7)
			.mapToObj((i) -> weighted.choose(List.of(a, b, c), ANYONE).id())
			.toList();
		assertThat(first).containsExactly("a:1", "a:1", "b:1", "a:1", "c:1", "a:1", "a:1");
		Map<Upstream, Long> picks = pick(weighted, List.of(a, b, c), 700);
		assertThat(picks).containsEntry(a, 500L).containsEntry(b, 100L).containsEntry(c, 100L);
	}

	@Test
	void ipHashKeepsEachClientOnOneInstance() {
		List<Upstream> upstreams = upstreams(4);
		Strategy hash = Strategies.create("ip-hash", 1.25);
		for (int client = 0; client < 100; client++) {
			Strategy.Client who = new Strategy.Client("10.0.0." + client, null);
			Upstream first = hash.choose(upstreams, who);
			for (int again = 0; again < 5; again++) {
				assertThat(hash.choose(upstreams, who)).isSameAs(first);
			}
		}
	}

	@Test
	void ipHashSpreadsManyClientsEvenly() {
		List<Upstream> upstreams = upstreams(4);
		Strategy hash = Strategies.create("ip-hash", 1.25);
		Map<Upstream, Long> owners = clients(10_000).stream()
			.collect(Collectors.groupingBy((who) -> hash.choose(upstreams, who), Collectors.counting()));
		// 2 500 each on a perfect ring; 160 points per instance keep each within 20 %.
		assertThat(owners.values()).allSatisfy((count) -> assertThat(count).isBetween(2_000L, 3_000L));
	}

	@Test
	void ipHashMovesOnlyTheClientsOfAnInstanceThatLeaves() {
		List<Upstream> upstreams = upstreams(4);
		Strategy hash = Strategies.create("ip-hash", 1.25);
		Map<Strategy.Client, Upstream> before = new HashMap<>();
		clients(5_000).forEach((who) -> before.put(who, hash.choose(upstreams, who)));
		Upstream leaving = upstreams.get(2);
		List<Upstream> remaining = upstreams.stream().filter((u) -> u != leaving).toList();

		int moved = 0;
		for (Map.Entry<Strategy.Client, Upstream> entry : before.entrySet()) {
			Upstream now = hash.choose(remaining, entry.getKey());
			if (entry.getValue() != leaving) {
				assertThat(now).as("a client of an instance that stayed").isSameAs(entry.getValue());
			}
			else {
				moved++;
			}
		}
		assertThat(moved).as("clients of the instance that left, spread over the others").isPositive();
	}

	@Test
	void ipHashCapsAnInstanceAtTheFactorOfTheMeanUnderASkewedMix() {
		List<Upstream> upstreams = upstreams(4);
		Strategy hash = Strategies.create("ip-hash", 1.25);
		Strategy.Client heavy = new Strategy.Client("203.0.113.7", null);
		List<Strategy.Client> light = clients(20);
		// 100 requests in flight at once, 80 of them from one client.
		for (int i = 0; i < 100; i++) {
			Strategy.Client who = (i % 5 != 0) ? heavy : light.get(i % light.size());
			hash.choose(upstreams, who).started();
		}
		int max = upstreams.stream().mapToInt(Upstream::inFlight).max().orElseThrow();
		assertThat(max).as("at most ceil(1.25 * 100 / 4)").isLessThanOrEqualTo(32);
		assertThat(upstreams.stream().mapToInt(Upstream::inFlight).sum()).isEqualTo(100);
	}

	@Test
	void withoutTheBoundAHeavyClientPilesOntoOneInstance() {
		// The same mix with a bound too high to matter: shows the test above can fail.
		List<Upstream> upstreams = upstreams(4);
		Strategy hash = Strategies.create("ip-hash", 1_000);
		Strategy.Client heavy = new Strategy.Client("203.0.113.7", null);
		for (int i = 0; i < 80; i++) {
			hash.choose(upstreams, heavy).started();
		}
		assertThat(upstreams.stream().mapToInt(Upstream::inFlight).max().orElseThrow()).isEqualTo(80);
	}

	@Test
	void ipHashRefusesAFactorBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> Strategies.create("ip-hash", 0.9));
	}

	@Test
	void leastConnectionsPicksTheInstanceWithFewestRequestsInFlight() {
		List<Upstream> upstreams = upstreams(3);
		upstreams.get(0).started();
		upstreams.get(0).started();
		upstreams.get(2).started();
		Strategy least = Strategies.create("least-connections", 1.25);
		for (int i = 0; i < 20; i++) {
			assertThat(least.choose(upstreams, ANYONE)).isSameAs(upstreams.get(1));
		}
	}

	@Test
	void leastConnectionsSharesTiesBetweenIdleInstances() {
		List<Upstream> upstreams = upstreams(3);
		Map<Upstream, Long> picks = pick(Strategies.create("least-connections", 1.25), upstreams, 3_000);
		assertThat(picks).hasSize(3);
	}

	@Test
	void latencyPrefersTheFastInstance() {
		List<Upstream> upstreams = upstreams(3);
		upstreams.get(0).started();
		upstreams.get(0).finished(200_000_000L, false);
		upstreams.get(1).started();
		upstreams.get(1).finished(1_000_000L, false);
		upstreams.get(2).started();
		upstreams.get(2).finished(2_000_000L, false);
		Map<Upstream, Long> picks = pick(Strategies.create("latency", 1.25), upstreams, 3_000);
		// The slow one wins only when both samples are itself, which two distinct
		// samples never are.
		assertThat(picks.getOrDefault(upstreams.get(0), 0L)).isZero();
		assertThat(picks.get(upstreams.get(1))).isGreaterThan(picks.get(upstreams.get(2)));
	}

	@Test
	void cookieStickyKeepsAPinnedClientAndRepinsWhenItsInstanceIsGone() {
		List<Upstream> upstreams = upstreams(3);
		Strategy sticky = Strategies.create("cookie-sticky", 1.25);
		assertThat(sticky.pins()).isTrue();
		Upstream pinned = upstreams.get(1);
		Strategy.Client client = new Strategy.Client("192.0.2.1", pinned.stickyKey());
		for (int i = 0; i < 10; i++) {
			assertThat(sticky.choose(upstreams, client)).isSameAs(pinned);
		}
		List<Upstream> without = List.of(upstreams.get(0), upstreams.get(2));
		assertThat(sticky.choose(without, client)).isIn(without);
		assertThat(pinned.stickyKey()).doesNotContain("127.0.0").hasSize(16);
	}

	@Test
	void refusesAnUnknownStrategyNamingTheKnownOnes() {
		assertThatIllegalArgumentException().isThrownBy(() -> Strategies.create("fastest", 1.25))
			.withMessageContaining("least-connections");
	}

	@Test
	void createsEveryStrategyItLists() {
		assertThat(Strategies.NAMES).hasSize(7)
			.allSatisfy((name) -> assertThat(Strategies.create(name, 1.25).name()).isEqualTo(name));
	}

	private static List<Upstream> upstreams(int count) {
		return IntStream.rangeClosed(1, count)
			.mapToObj((i) -> new Upstream(URI.create("http://127.0.0." + i + ":8091")))
			.toList();
	}

	private static List<Strategy.Client> clients(int count) {
		List<Strategy.Client> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			clients.add(new Strategy.Client("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), null));
		}
		return clients;
	}

	private static Map<Upstream, Long> pick(Strategy strategy, List<Upstream> upstreams, int times) {
		return IntStream.range(0, times)
			.mapToObj((i) -> strategy.choose(upstreams, ANYONE))
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
	}

}
