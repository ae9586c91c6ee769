package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The instances of every upstream service, by service name (the host of an
 * {@code lb://service} route).
 */
@Component
class UpstreamPools {

	private final Map<String, List<Upstream>> pools;

	UpstreamPools(UpstreamProperties properties) {
		this.pools = properties.upstreams()
			.entrySet()
			.stream()
			.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
					(entry) -> entry.getValue().stream().map(UpstreamPools::upstream).toList()));
	}

	/**
	 * The instances of a service that may take requests: healthy and not ejected. When
	 * none is, all of them (panic mode, as Envoy's): better to try an instance that may
	 * have recovered than to refuse every request. Empty only for an unknown service.
	 */
	List<Upstream> available(String service) {
		List<Upstream> all = this.pools.getOrDefault(service, List.of());
		long now = System.nanoTime();
		int available = 0;
		for (Upstream upstream : all) {
			if (upstream.available(now)) {
				available++;
			}
		}
		if (available == all.size() || available == 0) {
			return all;
		}
		List<Upstream> some = new ArrayList<>(available);
		for (Upstream upstream : all) {
			if (upstream.available(now)) {
				some.add(upstream);
			}
		}
		return some;
	}

	/** Every instance of every service. */
	Map<String, List<Upstream>> all() {
		return this.pools;
	}

	private static Upstream upstream(URI url) {
		String weight = UriComponentsBuilder.fromUri(url).build().getQueryParams().getFirst("weight");
		URI base = UriComponentsBuilder.fromUri(url).replaceQuery(null).build().toUri();
		return new Upstream(base, (weight != null) ? Integer.parseInt(weight) : 1, new PeakEwma());
	}

}
