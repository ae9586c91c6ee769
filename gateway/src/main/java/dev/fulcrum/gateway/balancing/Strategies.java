package dev.fulcrum.gateway.balancing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The seven strategies, by name.
 */
final class Strategies {

	/** The names, in the order the docs list them. */
	static final List<String> NAMES = List.of("round-robin", "random", "weighted", "ip-hash", "cookie-sticky",
			"least-connections", "latency");

	private Strategies() {
	}

	/**
	 * A new strategy (with fresh state).
	 * @param name one of {@link #NAMES}
	 * @param hashBalanceFactor for {@code ip-hash}: no instance takes more than this
	 * factor of the mean load
	 * @throws IllegalArgumentException for an unknown name
	 */
	static Strategy create(String name, double hashBalanceFactor) {
		Supplier<Strategy> strategy = switch (name) {
			case "round-robin" -> RoundRobin::new;
			case "random" -> RandomPick::new;
			case "weighted" -> Weighted::new;
			case "ip-hash" -> () -> new BoundedLoadHash(hashBalanceFactor);
			case "cookie-sticky" -> CookieSticky::new;
			case "least-connections" -> LeastConnections::new;
			case "latency" -> PeakEwmaPowerOfTwo::new;
			default -> throw new IllegalArgumentException(
					"Unknown balancing strategy '" + name + "'; known: " + String.join(", ", NAMES));
		};
		return strategy.get();
	}

	/** Each instance in turn. */
	static final class RoundRobin implements Strategy {

		private final AtomicLong next = new AtomicLong();

		@Override
		public String name() {
			return "round-robin";
		}

		@Override
		public Upstream choose(List<Upstream> candidates, Client client) {
			return candidates.get((int) Math.floorMod(this.next.getAndIncrement(), candidates.size()));
		}

	}

	/** Any instance, uniformly at random. */
	static final class RandomPick implements Strategy {

		@Override
		public String name() {
			return "random";
		}

		@Override
		public Upstream choose(List<Upstream> candidates, Client client) {
			return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
		}

	}

	/**
	 * The fewest requests in flight from this gateway; ties broken at random, so that
	 * idle instances share the work.
	 */
	static final class LeastConnections implements Strategy {

		@Override
		public String name() {
			return "least-connections";
		}

		@Override
		public Upstream choose(List<Upstream> candidates, Client client) {
			int size = candidates.size();
			int start = ThreadLocalRandom.current().nextInt(size);
			Upstream best = null;
			for (int i = 0; i < size; i++) {
				Upstream upstream = candidates.get((start + i) % size);
				if (best == null || upstream.inFlight() < best.inFlight()) {
					best = upstream;
				}
			}
			return best;
		}

	}

	/**
	 * Power of two choices over peak-EWMA latency: two instances at random, the one whose
	 * average response time times (requests in flight + 1) is lower. Sampling two, not
	 * all, keeps a burst of requests from all landing on the instance that looked best a
	 * moment ago.
	 */
	static final class PeakEwmaPowerOfTwo implements Strategy {

		@Override
		public String name() {
			return "latency";
		}

		@Override
		public Upstream choose(List<Upstream> candidates, Client client) {
			int size = candidates.size();
			if (size == 1) {
				return candidates.getFirst();
			}
			ThreadLocalRandom random = ThreadLocalRandom.current();
			int first = random.nextInt(size);
			int second = random.nextInt(size - 1);
			if (second >= first) {
				second++;
			}
			Upstream a = candidates.get(first);
			Upstream b = candidates.get(second);
			return (cost(a) <= cost(b)) ? a : b;
		}

		private static double cost(Upstream upstream) {
			return upstream.latency().nanos() * (upstream.inFlight() + 1);
		}

	}

}
