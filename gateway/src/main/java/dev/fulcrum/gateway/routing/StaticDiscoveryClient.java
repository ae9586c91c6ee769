package dev.fulcrum.gateway.routing;

import java.net.URI;
import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.stereotype.Component;

/**
 * Serves the instances listed in {@link UpstreamProperties} to Spring Cloud LoadBalancer,
 * which balances {@code lb://service} routes over them (round-robin by default). Each
 * instance id is its {@code host:port}.
 */
@Component
class StaticDiscoveryClient implements ReactiveDiscoveryClient {

	private final UpstreamProperties properties;

	StaticDiscoveryClient(UpstreamProperties properties) {
		this.properties = properties;
	}

	@Override
	public String description() {
		return "Fulcrum static upstreams";
	}

	@Override
	public Flux<ServiceInstance> getInstances(String serviceId) {
		List<URI> urls = this.properties.upstreams().getOrDefault(serviceId, List.of());
		return Flux.fromIterable(urls).map((url) -> instance(serviceId, url));
	}

	@Override
	public Flux<String> getServices() {
		return Flux.fromIterable(this.properties.upstreams().keySet());
	}

	private static ServiceInstance instance(String serviceId, URI url) {
		boolean secure = "https".equals(url.getScheme());
		int port = (url.getPort() != -1) ? url.getPort() : (secure ? 443 : 80);
		return new DefaultServiceInstance(url.getHost() + ":" + port, serviceId, url.getHost(), port, secure);
	}

}
