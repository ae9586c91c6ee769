package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The instances of each upstream service, by service name, for a static deployment (the
 * local stack). For example
 * {@code fulcrum.gateway.upstreams.api-service=http://localhost:8091,http://localhost:8092?weight=3}:
 * a {@code weight} parameter sets the instance's weight for the {@code weighted} strategy
 * (1 by default).
 *
 * @param upstreams base URLs of the instances of each service
 */
@ConfigurationProperties("fulcrum.gateway")
record UpstreamProperties(Map<String, List<URI>> upstreams) {

	UpstreamProperties {
		upstreams = (upstreams != null) ? Map.copyOf(upstreams) : Map.of();
	}

}
