package dev.fulcrum.gateway.balancing;

import java.util.List;

/**
 * Picks the instance for a request among the available ones. One instance per route (a
 * strategy may keep state, such as a round-robin position); safe for concurrent use.
 */
interface Strategy {

	/** Its name in configuration, for example {@code least-connections}. */
	String name();

	/**
	 * @param candidates the available instances, never empty, in a stable order
	 * @param client who is asking
	 * @return one of the candidates
	 */
	Upstream choose(List<Upstream> candidates, Client client);

	/**
	 * Whether the client should be pinned to the pick with the sticky cookie.
	 */
	default boolean pins() {
		return false;
	}

	/**
	 * Whether an instance that is warming up may be passed over for another (slow start).
	 * Not for strategies that place a client by who it is: a client's instance is its
	 * instance, warm or not.
	 */
	default boolean slowStarts() {
		return !pins();
	}

	/**
	 * Who sends a request, as far as balancing cares.
	 *
	 * @param address the client's address (from {@code X-Forwarded-For} only behind a
	 * trusted proxy)
	 * @param stickyKey the sticky cookie's value, or {@code null}
	 */
	record Client(String address, String stickyKey) {
	}

}
