package dev.fulcrum.gateway.edge;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge's hygiene in front of a backend that reports the headers it received: internal
 * headers sent by a client never arrive, every answer carries the security headers, and a
 * body over the cap (1 KB here) is refused with a 413.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.edge.max-request-body=1KB",
				"fulcrum.gateway.auth.public-paths=GET /api/hello,POST /api/echo" })
@Import(TestRedisConfiguration.class)
class EdgeHeadersTests {

	static final HttpServer backend = backend();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> "http://127.0.0.1:" + backend.getAddress().getPort());
	}

	@AfterAll
	static void stop() {
		backend.stop(0);
	}

	@Test
	void dropsInternalHeadersAClientSends() {
		HttpResponse<String> response = TestHttp.get(url("/api/hello"), "X-Fulcrum-User", "admin", "X-Internal-Role",
				"ADMIN", "X-Forwarded-User", "root", "X-Custom", "kept");
		String received = response.headers().firstValue("X-Received-Headers").orElseThrow();
		assertThat(received).contains("x-custom")
			.doesNotContain("x-fulcrum-user", "x-internal-role", "x-forwarded-user");
	}

	@Test
	void addsSecurityHeadersToEveryAnswer() {
		for (HttpResponse<String> response : List.of(TestHttp.get(url("/api/hello")), TestHttp.get(url("/api/me")))) {
			assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
			assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
			assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
			assertThat(response.headers().firstValue("Content-Security-Policy")).isPresent();
		}
		assertThat(TestHttp.get(url("/api/hello"), "X-Forwarded-Proto", "https")
			.headers()
			.firstValue("Strict-Transport-Security")).as("a client's own claim of https, no proxy trusted").isEmpty();
	}

	@Test
	void refusesABodyOverTheCapByItsLength() {
		HttpResponse<String> response = TestHttp.post(url("/api/echo"), "x".repeat(2048), "Content-Type", "text/plain");
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(TestHttp.json(response).get("type").asString()).isEqualTo("urn:fulcrum:problem:payload-too-large");
		assertThat(TestHttp.post(url("/api/echo"), "x".repeat(512), "Content-Type", "text/plain").statusCode())
			.isEqualTo(200);
	}

	@Test
	void refusesABodyOverTheCapSentWithoutALength() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url("/api/echo")))
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[4096])))
			.header("Content-Type", "application/octet-stream")
			.build();
		try (HttpClient client = HttpClient.newHttpClient()) {
			HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(413);
		}
	}

	/**
	 * The 413 is the client's doing: a stream of oversized bodies must neither eject the
	 * instance (5 failures in a row) nor open the route's circuit breaker.
	 */
	@Test
	void oversizedBodiesSayNothingAboutTheInstanceOrTheRoute() throws Exception {
		try (HttpClient client = HttpClient.newHttpClient()) {
			for (int i = 0; i < 25; i++) {
				HttpRequest request = HttpRequest.newBuilder(URI.create(url("/api/echo")))
					.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[4096])))
					.build();
				assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
			}
		}
		assertThat(TestHttp.get(url("/api/hello")).statusCode()).isEqualTo(200);
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	private static HttpServer backend() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
			server.createContext("/", (exchange) -> {
				exchange.getRequestBody().readAllBytes();
				String names = exchange.getRequestHeaders()
					.keySet()
					.stream()
					.map((name) -> name.toLowerCase(Locale.ROOT))
					.collect(Collectors.joining(","));
				byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("X-Received-Headers", names);
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
