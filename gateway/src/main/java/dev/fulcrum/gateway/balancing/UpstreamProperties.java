package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the instances of each upstream service are, by service name: a static list, a
 * file that another program rewrites as instances come and go (the local stack's
 * launcher, which scales), read again when it changes, or a DNS name whose A records are
 * the instances (compose replicas, Kubernetes headless Services), looked up again every
 * {@code dnsRefresh}.
 * <p>
 * For example
 * {@code fulcrum.gateway.upstreams.api-service=http://localhost:8091,http://localhost:8092?weight=3}
 * (a {@code weight} parameter sets the instance's weight for the {@code weighted}
 * strategy, 1 by default), or
 * {@code fulcrum.gateway.dns.api-service=http://api-service:8091}, or
 * {@code fulcrum.gateway.files.api-service=.fulcrum/upstreams/api-service} (one base URL
 * a line, see {@link UpstreamFile}). A service named by more than one is found through
 * DNS first, then its file.
 *
 * @param upstreams base URLs of the instances of each service
 * @param dns a base URL whose host name has one A record per instance, by service
 * @param dnsRefresh how often DNS names are looked up again
 * @param files a file listing the instances, by service
 * @param fileRefresh how often each file is checked for a change
 */
@ConfigurationProperties("fulcrum.gateway")
record UpstreamProperties(Map<String, List<URI>> upstreams, Map<String, URI> dns,
		@DefaultValue("5s") Duration dnsRefresh, Map<String, Path> files, @DefaultValue("1s") Duration fileRefresh) {

	UpstreamProperties {
		upstreams = (upstreams != null) ? Map.copyOf(upstreams) : Map.of();
		// An entry left empty (API_SERVICE_FILE unset) means: no file.
		files = (files != null) ? files.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null && !entry.getValue().toString().isBlank())
			.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue)) : Map.of();
		// An entry left empty (API_SERVICE_DNS unset) means: not through DNS.
		dns = (dns != null) ? dns.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null && entry.getValue().getHost() != null)
			.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue)) : Map.of();
	}

}
