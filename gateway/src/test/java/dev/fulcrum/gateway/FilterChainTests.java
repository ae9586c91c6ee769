package dev.fulcrum.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's own filters, as the running application has them: each in the place
 * {@link FilterOrder} names for it, and no filter of the gateway's without one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@Import(TestRedisConfiguration.class)
class FilterChainTests {

	@Autowired
	List<GlobalFilter> globalFilters;

	@Autowired
	List<WebFilter> webFilters;

	@Test
	void eachFilterOfTheGatewayRunsInThePlaceFilterOrderNames() {
		Map<String, Integer> places = new LinkedHashMap<>();
		Stream.concat(this.webFilters.stream(), this.globalFilters.stream())
			.filter((filter) -> filter.getClass().getPackageName().startsWith("dev.fulcrum.gateway"))
			.sorted((a, b) -> Integer.compare(((Ordered) a).getOrder(), ((Ordered) b).getOrder()))
			.forEach((filter) -> places.put(filter.getClass().getSimpleName(), ((Ordered) filter).getOrder()));

		Map<String, Integer> expected = new LinkedHashMap<>();
		expected.put("RequestIdWebFilter", FilterOrder.REQUEST_ID);
		expected.put("TracingWebFilter", FilterOrder.TRACING);
		expected.put("EdgeHeadersWebFilter", FilterOrder.EDGE_HEADERS);
		expected.put("EdgeAuthenticationFilter", FilterOrder.EDGE_AUTHENTICATION);
		expected.put("EdgeCacheFilter", FilterOrder.EDGE_CACHE);
		expected.put("ConcurrencyLimitFilter", FilterOrder.CONCURRENCY_LIMIT);
		expected.put("RateLimitFilter", FilterOrder.RATE_LIMIT);
		expected.put("RevocationCheckFilter", FilterOrder.REVOCATION_CHECK);
		expected.put("CircuitBreakerFilter", FilterOrder.CIRCUIT_BREAKER);
		expected.put("RetryFilter", FilterOrder.RETRY);
		expected.put("BalancingFilter", FilterOrder.BALANCING);
		expected.put("ProxyFilter", FilterOrder.PROXY);
		assertThat(places).containsExactlyEntriesOf(expected);
		assertThat(places.values()).as("one place per filter").doesNotHaveDuplicates();
	}

}
