package dev.fulcrum.gateway.balancing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

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
 * A service found through a real DNS lookup by the JDK: {@code localhost}, whose
 * addresses (127.0.0.1, and ::1 where the machine has IPv6) all reach the backend, which
 * listens on every address.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@Import(TestRedisConfiguration.class)
class DnsRoutingTests {

	static final HttpServer backend = backend();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void throughDns(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.dns.api-service", () -> "http://localhost:" + backend.getAddress().getPort());
	}

	@AfterAll
	static void stop() {
		backend.stop(0);
	}

	@Test
	void routesToTheAddressesOfTheName() {
		for (int i = 0; i < 4; i++) {
			HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-Served-By")).hasValue("dns-backend");
		}
	}

	private static HttpServer backend() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress(0), 16);
			server.createContext("/", (exchange) -> {
				byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("X-Served-By", "dns-backend");
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
