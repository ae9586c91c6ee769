package dev.fulcrum.gateway.balancing;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/draining/{service}/{instance}} on the management port: {@code POST}
 * drains an instance before it is stopped (it takes no new request and finishes those
 * under way; {@code /actuator/balancing} shows its {@code inFlight} fall to 0), {@code
 * DELETE} lets it take requests again. For instances that DNS finds (compose replicas,
 * which an autoscaler stops); the local stack drains through its file. Like every write
 * on the management port, it needs the management token.
 */
@Component
@Endpoint(id = "draining")
class DrainingEndpoint {

	private final UpstreamPools pools;

	DrainingEndpoint(UpstreamPools pools) {
		this.pools = pools;
	}

	@WriteOperation
	WebEndpointResponse<Map<String, Object>> drain(@Selector String service, @Selector String instance) {
		return answer(service, instance, true);
	}

	@DeleteOperation
	WebEndpointResponse<Map<String, Object>> undrain(@Selector String service, @Selector String instance) {
		return answer(service, instance, false);
	}

	private WebEndpointResponse<Map<String, Object>> answer(String service, String instance, boolean draining) {
		return this.pools.drain(service, instance, draining).map((upstream) -> {
			Map<String, Object> description = new LinkedHashMap<>();
			description.put("service", service);
			description.put("instance", upstream.id());
			description.put("draining", upstream.draining());
			description.put("inFlight", upstream.inFlight());
			return new WebEndpointResponse<>(description);
		}).orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
	}

}
