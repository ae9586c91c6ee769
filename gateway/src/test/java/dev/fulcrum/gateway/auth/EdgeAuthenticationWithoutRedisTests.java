package dev.fulcrum.gateway.auth;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestTokenIssuer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway with its Redis unreachable (a loopback port nothing listens on; the shared
 * test Redis is left alone): protected routes fail closed with 503, public routes and
 * readiness are unaffected.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
class EdgeAuthenticationWithoutRedisTests {

	static final TestUpstream upstream = new TestUpstream();

	static final TestTokenIssuer issuer = new TestTokenIssuer();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void unreachableRedis(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", upstream::url);
		registry.add("fulcrum.gateway.upstreams.auth-service", upstream::url);
		registry.add("fulcrum.token.jwks-uri", issuer::jwksUri);
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + TestBackend.closedPort());
	}

	@AfterAll
	static void stopServers() {
		upstream.stop();
		issuer.close();
	}

	@Test
	void answersAProtectedRoute503WhenRevocationCannotBeChecked() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/me", "Authorization",
				"Bearer " + issuer.token("alice"));
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(TestHttp.json(response).get("type").asString())
			.isEqualTo("urn:fulcrum:problem:token-check-unavailable");
	}

	@Test
	void stillServesPublicRoutesPastTheRateLimitItCannotCheck() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/api/hello").statusCode()).isEqualTo(200);
		// The rate limit fails open by default, and says so.
		assertThat(
				this.meters.get("fulcrum.gateway.rate.limit.decisions").tag("outcome", "failed-open").counter().count())
			.isPositive();
	}

	@Test
	void staysReady() {
		assertThat(TestHttp.get("http://localhost:" + this.managementPort + "/actuator/health/readiness").statusCode())
			.isEqualTo(200);
	}

}
