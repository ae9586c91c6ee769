package dev.fulcrum.gateway.balancing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin (nginx's): each pick, every instance gains its weight, the
 * one with the most is chosen and pays back the total. Over any run of
 * {@code sum(weights)} picks each instance gets exactly its weight's share, and the
 * heavier ones are spread out rather than served in bursts (weights 5, 1, 1 give a a b a
 * c a a, not a a a a a b c).
 */
final class Weighted implements Strategy {

	private final Map<String, Integer> current = new HashMap<>();

	@Override
	public String name() {
		return "weighted";
	}

	@Override
	public synchronized Upstream choose(List<Upstream> candidates, Client client) {
		int total = 0;
		Upstream best = null;
		int bestCurrent = Integer.MIN_VALUE;
		for (Upstream upstream : candidates) {
			int now = this.current.getOrDefault(upstream.id(), 0) + upstream.weight();
			this.current.put(upstream.id(), now);
			total += upstream.weight();
			if (now > bestCurrent) {
				best = upstream;
				bestCurrent = now;
			}
		}
		this.current.put(best.id(), bestCurrent - total);
		if (this.current.size() > 2 * candidates.size()) {
			// Instances that left: forget them.
			this.current.keySet().retainAll(candidates.stream().map(Upstream::id).toList());
		}
		return best;
	}

}
