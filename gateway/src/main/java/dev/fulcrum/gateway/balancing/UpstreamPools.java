package dev.fulcrum.gateway.balancing;

import java.net.URI;
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

	/** The instances of a service that may take requests; empty for an unknown one. */
	List<Upstream> available(String service) {
		return this.pools.getOrDefault(service, List.of());
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
