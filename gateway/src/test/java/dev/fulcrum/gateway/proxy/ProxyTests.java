package dev.fulcrum.gateway.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a service behind the gateway receives, and what a client gets back, with a real
 * backend: the method, path, query and body as sent; the client's end-to-end headers; no
 * hop-by-hop headers either way; {@code X-Forwarded-*} from the gateway's own view, a
 * client's claims dropped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.auth.protected-paths=/nothing/**",
				"fulcrum.gateway.rate-limit.enabled=false",
				// Where Spring Boot would otherwise believe any client's Forwarded
				// header.
				"spring.main.cloud-platform=kubernetes" })
@Import(TestRedisConfiguration.class)
class ProxyTests {

	static final TestBackend backend = new TestBackend("proxied");

	static final HttpClient http11 = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void oneInstance(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", backend::url);
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@BeforeEach
	void resetBackend() {
		backend.reset();
	}

	@Test
	void sendsTheMethodPathQueryAndBodyAsTheClientSentThem() throws Exception {
		HttpResponse<String> response = http11.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/api/things/7?a=1&b=%20x&c=%C3%A9"))
			.timeout(Duration.ofSeconds(10))
			.PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"é\"}"))
			.header("Content-Type", "application/json")
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		TestBackend.Received received = backend.last();
		assertThat(received.method()).isEqualTo("PUT");
		assertThat(received.uri()).isEqualTo("/api/things/7?a=1&b=%20x&c=%C3%A9");
		assertThat(received.body()).isEqualTo("{\"name\":\"é\"}");
		assertThat(received.header("Content-Type")).isEqualTo("application/json");
	}

	@Test
	void streamsABodyOfUnknownLength() throws Exception {
		byte[] body = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
		HttpResponse<String> response = http11
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/upload"))
				.timeout(Duration.ofSeconds(10))
				.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(backend.last().body()).hasSize(100_000);
		assertThat(backend.last().header("Content-Length")).isNull();
	}

	@Test
	void dropsHopByHopHeadersAndClaimsOfForwardingButKeepsTheRest() throws IOException {
		String answer = raw("GET /api/hello HTTP/1.1\r\nHost: localhost:" + this.port + "\r\n"
				+ "Connection: close, X-Per-Hop\r\nX-Per-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
				+ "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nForwarded: for=198.51.100.1\r\n"
				+ "X-Forwarded-For: 203.0.113.66\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n"
				+ "X-Custom: kept\r\nAccept: application/json\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 200");
		TestBackend.Received received = backend.last();
		assertThat(received.headers()).doesNotContainKeys("X-Per-Hop", "Keep-Alive", "TE", "Proxy-Authorization",
				"Forwarded");
		assertThat(String.valueOf(received.header("Connection"))).doesNotContainIgnoringCase("per-hop")
			.doesNotContainIgnoringCase("close");
		assertThat(received.header("X-Custom")).isEqualTo("kept");
		assertThat(received.header("Accept")).isEqualTo("application/json");
		assertThat(received.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
		assertThat(received.header("X-Forwarded-Proto")).isEqualTo("http");
		assertThat(received.header("X-Forwarded-Host")).isEqualTo("localhost:" + this.port);
		assertThat(received.header("X-Forwarded-Port")).isEqualTo(Integer.toString(this.port));
		assertThat(received.header("Host")).isEqualTo(backend.url().substring("http://".length()));
		assertThat(received.header("X-Request-Id")).isNotBlank();
	}

	@Test
	void passesTheAnswerStatusHeadersAndBodyWithoutItsHopByHopHeaders() {
		backend.status = 418;
		backend.headers.put("X-Answer", "kept");
		backend.headers.put("Keep-Alive", "timeout=5");
		backend.headers.put("Proxy-Authenticate", "Basic");
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/teapot");
		assertThat(response.statusCode()).isEqualTo(418);
		assertThat(response.body()).isEqualTo("{\"servedBy\":\"proxied\"}");
		assertThat(response.headers().firstValue("X-Answer")).hasValue("kept");
		assertThat(response.headers().firstValue("X-Served-By")).hasValue("proxied");
		assertThat(response.headers().map()).doesNotContainKeys("keep-alive", "proxy-authenticate");
	}

	@Test
	void keepsOneValueOfEachSecurityHeaderTheEdgeSetsTheEdgesOwn() {
		backend.headers.put("X-Frame-Options", "SAMEORIGIN");
		backend.headers.put("X-Content-Type-Options", "nosniff");
		backend.headers.put("Set-Cookie", "a=1");
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/framed");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().allValues("X-Frame-Options")).containsExactly("DENY");
		assertThat(response.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
		assertThat(response.headers().allValues("Set-Cookie")).containsExactly("a=1");
	}

	/** Sends a request as written and returns everything the gateway answers. */
	private String raw(String request) throws IOException {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
		}
	}

}
