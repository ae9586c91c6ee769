package dev.fulcrum.gateway.balancing;

import java.util.List;

/**
 * Server-side sticky sessions: a client is pinned to an instance by a cookie that names
 * it (by a hash of its id, not its address). A client without the cookie, or whose
 * instance is gone or taken out, is placed round-robin and pinned again.
 */
final class CookieSticky implements Strategy {

	private final Strategies.RoundRobin placement = new Strategies.RoundRobin();

	@Override
	public String name() {
		return "cookie-sticky";
	}

	@Override
	public Upstream choose(List<Upstream> candidates, Client client) {
		if (client.stickyKey() != null) {
			for (Upstream upstream : candidates) {
				if (upstream.stickyKey().equals(client.stickyKey())) {
					return upstream;
				}
			}
		}
		return this.placement.choose(candidates, client);
	}

	@Override
	public boolean pins() {
		return true;
	}

}
