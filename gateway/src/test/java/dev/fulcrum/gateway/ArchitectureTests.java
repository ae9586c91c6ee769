package dev.fulcrum.gateway;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's package boundaries (test-support's rules), and its filter order declared
 * in one place.
 */
class ArchitectureTests extends dev.fulcrum.testsupport.ArchitectureTests {

	ArchitectureTests() {
		super(GatewayApplication.class);
	}

	/**
	 * {@link FilterOrder}'s places are all different, and in the order its table (this
	 * package's {@code package-info}) lists them. Which filter takes which place is
	 * checked on the running chain by {@code FilterChainTests}.
	 */
	@Test
	void filterOrderListsEveryPlaceOnceInTheDocumentedOrder() throws IllegalAccessException {
		List<String> names = new ArrayList<>();
		List<Integer> orders = new ArrayList<>();
		for (Field field : FilterOrder.class.getDeclaredFields()) {
			if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
				names.add(field.getName());
				orders.add(field.getInt(null));
			}
		}
		assertThat(names).containsExactly("REQUEST_ID", "TRACING", "EDGE_HEADERS", "EDGE_AUTHENTICATION", "EDGE_CACHE",
				"CONCURRENCY_LIMIT", "RATE_LIMIT", "REVOCATION_CHECK", "CIRCUIT_BREAKER", "RETRY", "BALANCING",
				"PROXY");
		assertThat(orders).doesNotHaveDuplicates().isSorted();
	}

}
