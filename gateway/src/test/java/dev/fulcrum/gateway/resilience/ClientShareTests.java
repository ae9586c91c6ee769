package dev.fulcrum.gateway.resilience;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.edge.ClientAddresses;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client share's bookkeeping, with the filter called directly and requests held open
 * as long as the test likes: a limit of 8, so that half of it (4) and three quarters (6)
 * are apart. Every place a client takes is given back however its request ends.
 */
class ClientShareTests {

	static final String ROUTE = "api-service";

	final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	final ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter(new ConcurrencyLimitProperties(true, 8, 1, 8,
			Duration.ofMillis(10), Duration.ofMillis(100), 20, 0.9, Duration.ZERO, 0.5, Duration.ofMillis(1), null),
			new ClientAddresses("^$"), this.meters);

	final Route route = Route.async().id(ROUTE).uri("http://localhost").predicate((exchange) -> true).build();

	final List<Disposable> held = new ArrayList<>();

	@AfterEach
	void giveBack() {
		this.held.forEach(Disposable::dispose);
	}

	@Test
	void aClientAloneGetsThreeQuartersOfTheLimitAndAnotherGetsTheRest() {
		for (int i = 1; i <= 6; i++) {
			assertThat(hold("192.0.2.1")).as("request %d of the first client, %d of 8 in use", i, i).isTrue();
		}
		assertThat(shed("192.0.2.1")).as("the seventh: holds 6, past half, with 7 of 8 in use").isTrue();
		assertThat(this.filter.held(ROUTE, "address:192.0.2.1")).isEqualTo(6);
		assertThat(hold("198.51.100.1")).as("another client").isTrue();
		assertThat(hold("198.51.100.1")).as("and again: the limit's last place").isTrue();
		assertThat(shed("198.51.100.2")).as("the limit is full").isTrue();
		assertThat(this.filter.limit(ROUTE).inFlight()).isEqualTo(8);
	}

	@Test
	void placesAreGivenBackWhenRequestsAreCancelledOrFail() {
		for (int i = 0; i < 3; i++) {
			hold("192.0.2.1");
		}
		assertThat(this.filter.held(ROUTE, "address:192.0.2.1")).isEqualTo(3);
		MockServerWebExchange failing = exchange("192.0.2.1");
		this.filter.filter(failing, (exchange) -> Mono.error(new IOException("connection reset")))
			.onErrorResume(IOException.class, (ex) -> Mono.empty())
			.block(Duration.ofSeconds(5));
		assertThat(this.filter.held(ROUTE, "address:192.0.2.1")).as("after a failure").isEqualTo(3);
		this.held.forEach(Disposable::dispose);
		assertThat(this.filter.held(ROUTE, "address:192.0.2.1")).as("after the client went away").isZero();
		assertThat(this.filter.limit(ROUTE).inFlight()).isZero();
	}

	/** Sends a request that the filter's chain holds open; whether it got that far. */
	private boolean hold(String client) {
		AtomicBoolean reached = new AtomicBoolean();
		this.held.add(this.filter.filter(exchange(client), (exchange) -> {
			reached.set(true);
			return Mono.never();
		}).subscribe());
		return reached.get();
	}

	/**
	 * Sends a request; whether it was shed instead of reaching the chain. The decision is
	 * made when the filter is called; the 503 problem it then sends needs a real
	 * connection (ConcurrencyLimitFilterTests checks it).
	 */
	private boolean shed(String client) {
		AtomicBoolean reached = new AtomicBoolean();
		MockServerWebExchange exchange = exchange(client);
		double before = shedCount();
		this.filter.filter(exchange, (e) -> {
			reached.set(true);
			return Mono.empty();
		});
		return !reached.get() && shedCount() == before + 1
				&& "1".equals(exchange.getResponse().getHeaders().getFirst("Retry-After"));
	}

	private double shedCount() {
		Counter shed = this.meters.find("fulcrum.gateway.concurrency.shed").counter();
		return (shed != null) ? shed.count() : 0;
	}

	private MockServerWebExchange exchange(String client) {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.get("/api/hello").remoteAddress(new InetSocketAddress(client, 40000)));
		exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, this.route);
		return exchange;
	}

}
