package dev.fulcrum.gateway.balancing;

import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing of the client address with bounded loads (Mirrokni, Thorup and
 * Zadimoghaddam, 2016; HAProxy's {@code hash-balance-factor}).
 * <p>
 * Each instance owns {@value #POINTS} points on a ring of 64-bit hashes; a client goes to
 * the owner of the first point at or after its own hash, so the same client keeps the
 * same instance, and when an instance leaves only its own clients move. To keep a few
 * heavy clients from piling onto one instance, an instance whose requests in flight have
 * reached {@code factor} times the mean (rounded up, counting this request) is skipped,
 * and the client goes on along the ring to the next one with room.
 */
final class BoundedLoadHash implements Strategy {

	static final int POINTS = 160;

	private final double factor;

	private volatile Ring ring = new Ring(List.of(), new long[0], new Upstream[0]);

	BoundedLoadHash(double factor) {
		if (factor < 1) {
			throw new IllegalArgumentException("The hash balance factor must be at least 1, not " + factor);
		}
		this.factor = factor;
	}

	@Override
	public String name() {
		return "ip-hash";
	}

	@Override
	public boolean slowStarts() {
		return false;
	}

	@Override
	public Upstream choose(List<Upstream> candidates, Client client) {
		Ring current = ringFor(candidates);
		int totalInFlight = 0;
		for (Upstream upstream : candidates) {
			totalInFlight += upstream.inFlight();
		}
		int capacity = (int) Math.ceil(this.factor * (totalInFlight + 1) / candidates.size());
		long hash = Hashing.hash64(client.address());
		int start = Arrays.binarySearch(current.hashes(), hash);
		if (start < 0) {
			start = -start - 1;
		}
		int points = current.hashes().length;
		for (int i = 0; i < points; i++) {
			Upstream owner = current.owners()[(start + i) % points];
			if (owner.inFlight() < capacity) {
				return owner;
			}
		}
		// Cannot happen (the capacity leaves room for at least one), but never fail a
		// request over it.
		return current.owners()[start % points];
	}

	private Ring ringFor(List<Upstream> candidates) {
		Ring current = this.ring;
		if (!current.members().equals(candidates)) {
			current = Ring.of(candidates);
			this.ring = current;
		}
		return current;
	}

	private record Ring(List<Upstream> members, long[] hashes, Upstream[] owners) {

		static Ring of(List<Upstream> members) {
			int size = members.size() * POINTS;
			long[][] points = new long[size][];
			int n = 0;
			for (int m = 0; m < members.size(); m++) {
				for (int p = 0; p < POINTS; p++) {
					points[n++] = new long[] { Hashing.hash64(members.get(m).id() + "#" + p), m };
				}
			}
			Arrays.sort(points, (a, b) -> Long.compare(a[0], b[0]));
			long[] hashes = new long[size];
			Upstream[] owners = new Upstream[size];
			for (int i = 0; i < size; i++) {
				hashes[i] = points[i][0];
				owners[i] = members.get((int) points[i][1]);
			}
			return new Ring(List.copyOf(members), hashes, owners);
		}

	}

}
