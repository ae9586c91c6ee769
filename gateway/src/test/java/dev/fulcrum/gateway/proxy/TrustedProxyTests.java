package dev.fulcrum.gateway.proxy;

import dev.fulcrum.testsupport.TestBackend;
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
 * Behind a trusted proxy (here: loopback), the proxy's {@code X-Forwarded-*} chain is
 * kept and the gateway's hop appended, so the service can still find the client's
 * address.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.enabled=false",
				"spring.cloud.gateway.server.webflux.trusted-proxies=127\\.0\\.0\\.1" })
@Import(TestRedisConfiguration.class)
class TrustedProxyTests {

	static final TestBackend backend = new TestBackend("behind-a-proxy");

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

	@Test
	void appendsItsHopToTheChainOfATrustedProxy() {
		assertThat(TestHttp
			.get("http://localhost:" + this.port + "/api/hello", "X-Forwarded-For", "203.0.113.66, 10.0.0.7",
					"X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com", "X-Forwarded-Port", "443")
			.statusCode()).isEqualTo(200);
		TestBackend.Received received = backend.last();
		assertThat(received.header("X-Forwarded-For")).isEqualTo("203.0.113.66, 10.0.0.7, 127.0.0.1");
		assertThat(received.header("X-Forwarded-Proto")).isEqualTo("https, http");
		assertThat(received.header("X-Forwarded-Host")).isEqualTo("api.example.com, localhost:" + this.port);
		assertThat(received.header("X-Forwarded-Port")).isEqualTo("443, " + this.port);
	}

	@Test
	void sendsHstsWhenTheTrustedProxySaysTheClientUsedHttps() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Forwarded-Proto", "https")
			.headers()
			.firstValue("Strict-Transport-Security")).hasValue("max-age=31536000; includeSubDomains");
		assertThat(TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Forwarded-Proto", "http")
			.headers()
			.firstValue("Strict-Transport-Security")).as("plain http").isEmpty();
	}

	@Test
	void writesItsOwnViewWhenTheProxySentNone() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/api/hello").statusCode()).isEqualTo(200);
		assertThat(backend.last().header("X-Forwarded-For")).isEqualTo("127.0.0.1");
		assertThat(backend.last().header("X-Forwarded-Proto")).isEqualTo("http");
	}

}
