package dev.fulcrum.gateway.ratelimit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestTokenIssuer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route limited to 3 requests a minute (fixed window), through the gateway and real
 * Redis: the fourth request of a client is refused with a 429 problem and the limit in
 * the headers; other clients and users have limits of their own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0",
				"spring.cloud.gateway.server.webflux.trusted-proxies=127\\.0\\.0\\.1",
				"fulcrum.gateway.rate-limit.routes.api-service.algorithm=fixed-window",
				"fulcrum.gateway.rate-limit.routes.api-service.limit=3",
				"fulcrum.gateway.rate-limit.routes.api-service.period=1m",
				"fulcrum.gateway.rate-limit.routes.auth-service.algorithm=fixed-window",
				"fulcrum.gateway.rate-limit.routes.auth-service.limit=2",
				"fulcrum.gateway.rate-limit.routes.auth-service.period=1m",
				"fulcrum.gateway.rate-limit.routes.auth-service.key=address" })
@Import({ TestRedisConfiguration.class, RateLimitTests.ThreadRecorder.class })
class RateLimitTests {

	// Started for each test class, as a subclass runs these tests again on a cluster.
	static HttpServer backend;

	static TestTokenIssuer issuer;

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> "http://127.0.0.1:" + backend.getAddress().getPort());
		registry.add("fulcrum.gateway.upstreams.auth-service",
				() -> "http://127.0.0.1:" + backend.getAddress().getPort());
		registry.add("fulcrum.token.jwks-uri", () -> issuer.jwksUri());
	}

	/**
	 * The windows are aligned to the clock (Redis's, on this machine), so a test that
	 * straddled a minute's edge would see its count start again: begin each one at least
	 * five seconds before the next edge.
	 */
	@BeforeEach
	void awayFromTheEdgeOfAWindow() throws InterruptedException {
		long intoTheMinute = System.currentTimeMillis() % 60_000;
		if (intoTheMinute > 55_000) {
			Thread.sleep(60_000 - intoTheMinute + 100);
		}
	}

	@BeforeAll
	static void start() {
		backend = backend();
		issuer = new TestTokenIssuer();
	}

	@AfterAll
	static void stop() {
		backend.stop(0);
		issuer.close();
	}

	@Test
	void goesOnFromTheRequestsOwnEventLoopNotFromTheRedisClientsThread() {
		ThreadRecorder.threads.clear();
		for (int i = 0; i < 3; i++) {
			assertThat(hello(client()).statusCode()).isEqualTo(200);
		}
		// Had the request stayed on the thread that read Redis's answer, that one thread
		// would proxy every rate-limited request of the gateway.
		assertThat(ThreadRecorder.threads).hasSize(3)
			.allSatisfy((name) -> assertThat(name).contains("http-").doesNotContain("lettuce"));
	}

	@Test
	void refusesTheRequestOverTheLimitWithA429ProblemAndSaysWhenToRetry() {
		String client = client();
		for (int i = 0; i < 3; i++) {
			int left = 2 - i;
			HttpResponse<String> allowed = hello(client);
			assertThat(allowed.statusCode()).isEqualTo(200);
			assertThat(allowed.headers().firstValue("X-RateLimit-Remaining")).hasValue(String.valueOf(2 - i));
			assertThat(allowed.headers().firstValue("RateLimit-Policy")).hasValue("\"3-per-60000ms\";q=3;w=60");
			assertThat(allowed.headers().firstValue("RateLimit"))
				.hasValueSatisfying((value) -> assertThat(value).startsWith("\"3-per-60000ms\";r=" + left + ";t="));
		}
		double rejectedBefore = rejected();
		HttpResponse<String> refused = hello(client);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
		assertThat(retryAfter).isBetween(1L, 60L);
		assertThat(refused.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
		JsonNode problem = TestHttp.json(refused);
		assertThat(problem.get("type").asString()).isEqualTo("urn:fulcrum:problem:rate-limited");
		assertThat(problem.get("status").asInt()).isEqualTo(429);
		assertThat(rejected()).isEqualTo(rejectedBefore + 1);
	}

	@Test
	void everyClientHasALimitOfItsOwn() {
		String first = client();
		for (int i = 0; i < 4; i++) {
			hello(first);
		}
		assertThat(hello(first).statusCode()).isEqualTo(429);
		assertThat(hello(client()).statusCode()).as("another address").isEqualTo(200);
	}

	@Test
	void aSignedInUserIsLimitedAsAUserWhateverTheAddress() {
		String token = issuer.token("rl-user-" + UUID.randomUUID());
		for (int i = 0; i < 3; i++) {
			assertThat(me(token, client()).statusCode()).isEqualTo(200);
		}
		assertThat(me(token, client()).statusCode()).as("same user, fourth address").isEqualTo(429);
	}

	@Test
	void anIpv6ClientIsLimitedByItsSlash64() {
		String network = "2001:db8:" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1, 0xffff)) + ":1::";
		for (int i = 1; i <= 3; i++) {
			assertThat(hello(network + i).statusCode()).isEqualTo(200);
		}
		assertThat(hello(network + "ffff").statusCode()).as("a fourth address of the /64").isEqualTo(429);
		assertThat(hello(network.replace(":1::", ":2::") + "1").statusCode()).as("the next /64").isEqualTo(200);
	}

	/**
	 * Login, registration and refresh storms: on the auth route the limit counts the
	 * client's network, with or without a token, since most of its calls come before
	 * there is a user.
	 */
	@Test
	void theAuthRouteCountsTheClientsNetworkNeverTheUser() {
		String token = issuer.token("rl-auth-" + UUID.randomUUID());
		String address = client();
		for (int i = 0; i < 2; i++) {
			assertThat(login(address, token).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> refused = login(address, token);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		assertThat(login(client(), token).statusCode()).as("the same user from another address").isEqualTo(200);
		assertThat(login(client(), null).statusCode()).as("anyone from another address").isEqualTo(200);
	}

	private HttpResponse<String> login(String client, String token) {
		return (token != null)
				? TestHttp.post("http://localhost:" + this.port + "/auth/login", "{}", "X-Forwarded-For", client,
						"Authorization", "Bearer " + token)
				: TestHttp.post("http://localhost:" + this.port + "/auth/login", "{}", "X-Forwarded-For", client);
	}

	private double rejected() {
		var counter = this.meters.find("fulcrum.gateway.rate.limit.decisions")
			.tag("route", "api-service")
			.tag("outcome", "rejected")
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private HttpResponse<String> hello(String client) {
		return TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Forwarded-For", client);
	}

	private HttpResponse<String> me(String token, String client) {
		return TestHttp.get("http://localhost:" + this.port + "/api/me", "Authorization", "Bearer " + token,
				"X-Forwarded-For", client);
	}

	private static String client() {
		// A fresh address each time: the limits live in Redis for a minute.
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "198.18." + random.nextInt(256) + "." + random.nextInt(1, 255);
	}

	private static HttpServer backend() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
			server.createContext("/", (exchange) -> {
				byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(200, body.length);
				exchange.getResponseBody().write(body);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Notes which thread carries each request past the rate limit. */
	@TestConfiguration(proxyBeanMethods = false)
	static class ThreadRecorder {

		static final List<String> threads = new CopyOnWriteArrayList<>();

		@Bean
		GlobalFilter threadRecorder() {
			return new RecordingFilter();
		}

		static class RecordingFilter implements GlobalFilter, Ordered {

			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				threads.add(Thread.currentThread().getName());
				return chain.filter(exchange);
			}

			@Override
			public int getOrder() {
				return FilterOrder.RATE_LIMIT + 1;
			}

		}

	}

}
