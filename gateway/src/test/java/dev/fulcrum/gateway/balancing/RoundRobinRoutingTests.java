package dev.fulcrum.gateway.balancing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway in front of two real HTTP upstreams on loopback: it must spread
 * {@code /api/**} round-robin over them and carry the request id both ways.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@Import(TestRedisConfiguration.class)
class RoundRobinRoutingTests {

	static final List<HttpServer> upstreams = List.of(upstream("up-1"), upstream("up-2"));

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void upstreamInstances(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> upstreams.stream().map((s) -> "http://127.0.0.1:" + s.getAddress().getPort()).toList());
	}

	@AfterAll
	static void stopUpstreams() {
		upstreams.forEach((server) -> server.stop(0));
	}

	@Test
	void alternatesBetweenInstances() {
		List<String> servedBy = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
			assertThat(response.statusCode()).isEqualTo(200);
			servedBy.add(response.headers().firstValue("X-Served-By").orElseThrow());
		}
		assertThat(servedBy).containsOnly("up-1", "up-2");
		for (int i = 1; i < servedBy.size(); i++) {
			assertThat(servedBy.get(i)).as("request %d after %s", i, servedBy).isNotEqualTo(servedBy.get(i - 1));
		}
	}

	@Test
	void passesTheRequestIdUpstreamAndBack() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Request-Id",
				"trace-me-1");
		assertThat(response.headers().firstValue("X-Request-Id")).hasValue("trace-me-1");
		assertThat(response.headers().firstValue("X-Upstream-Saw-Request-Id")).hasValue("trace-me-1");
	}

	@Test
	void generatesARequestIdWhenTheClientSentNone() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
		String id = response.headers().firstValue("X-Request-Id").orElseThrow();
		assertThat(response.headers().firstValue("X-Upstream-Saw-Request-Id")).hasValue(id);
	}

	@Test
	void keepsActuatorOnTheManagementPortOnly() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/actuator/health").statusCode()).isEqualTo(404);
		assertThat(TestHttp.get("http://localhost:" + this.managementPort + "/actuator/health/readiness").statusCode())
			.isEqualTo(200);
	}

	private static HttpServer upstream(String name) {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/", (exchange) -> {
				byte[] body = ("{\"instance\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				exchange.getResponseHeaders().set("X-Served-By", name);
				String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
				exchange.getResponseHeaders().set("X-Upstream-Saw-Request-Id", String.valueOf(requestId));
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

}
