package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the instances of each upstream service are, by service name: a static list (the
 * local stack), or a DNS name whose A records are the instances (compose replicas,
 * Kubernetes headless Services), looked up again every {@code dnsRefresh}.
 * <p>
 * For example
 * {@code fulcrum.gateway.upstreams.api-service=http://localhost:8091,http://localhost:8092?weight=3}
 * (a {@code weight} parameter sets the instance's weight for the {@code weighted}
 * strategy, 1 by default), or
 * {@code fulcrum.gateway.dns.api-service=http://api-service:8091}. A service listed in
 * both is found through DNS.
 *
 * @param upstreams base URLs of the instances of each service
 * @param dns a base URL whose host name has one A record per instance, by service
 * @param dnsRefresh how often DNS names are looked up again
 */
@ConfigurationProperties("fulcrum.gateway")
record UpstreamProperties(Map<String, List<URI>> upstreams, Map<String, URI> dns,
		@DefaultValue("5s") Duration dnsRefresh) {

	UpstreamProperties {
		upstreams = (upstreams != null) ? Map.copyOf(upstreams) : Map.of();
		// An entry left empty (API_SERVICE_DNS unset) means: not through DNS.
		dns = (dns != null) ? dns.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null && entry.getValue().getHost() != null)
			.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue)) : Map.of();
	}

}
