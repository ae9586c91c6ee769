package dev.fulcrum.gateway.routing;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The instances of each upstream service, by service name, for a static deployment (the
 * local stack). For example
 * {@code fulcrum.gateway.upstreams.api-service=http://localhost:8091,http://localhost:8092}.
 *
 * @param upstreams base URLs of the instances of each service
 */
@ConfigurationProperties("fulcrum.gateway")
public record UpstreamProperties(Map<String, List<URI>> upstreams) {

	public UpstreamProperties {
		upstreams = (upstreams != null) ? Map.copyOf(upstreams) : Map.of();
	}

}
