package dev.fulcrum.api.faults;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestTokenIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault switch, enabled: set on the management port, felt on the public one. And
 * {@code /api/work}, which the faults are meant to be watched with.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.faults.enabled=true", "fulcrum.instance-id=faulty-1",
				"fulcrum.management.token=" + FaultsTests.TOKEN })
@Import(TestRedisConfiguration.class)
class FaultsTests {

	static final String TOKEN = "faults-tests-token";

	static final TestTokenIssuer issuer = new TestTokenIssuer();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void jwks(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.token.jwks-uri", issuer::jwksUri);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@AfterEach
	void clear() {
		TestHttp.send("DELETE", faults(), null, "Authorization", "Bearer " + TOKEN);
	}

	@Test
	void injectingAFaultNeedsTheManagementToken() {
		HttpResponse<String> refused = TestHttp.post(faults(), "{\"failureRate\":1}", "Content-Type",
				"application/json");
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(TestHttp.json(refused).get("type").asString())
			.isEqualTo("urn:fulcrum:problem:management-credential-required");
		assertThat(TestHttp.send("DELETE", faults(), null).statusCode()).isEqualTo(401);
		assertThat(TestHttp.get(api("/api/hello")).statusCode()).as("no fault set").isEqualTo(200);
		assertThat(TestHttp.get(faults()).statusCode()).as("reading").isEqualTo(200);
	}

	@Test
	void failsTheShareOfRequestsItIsToldTo() {
		assertThat(set("{\"failureRate\":1}").statusCode()).isEqualTo(200);
		HttpResponse<String> response = TestHttp.get(api("/api/hello"));
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(TestHttp.json(response).get("type").asString()).isEqualTo("urn:fulcrum:problem:injected-fault");

		assertThat(TestHttp.send("DELETE", faults(), null, "Authorization", "Bearer " + TOKEN).statusCode())
			.isEqualTo(200);
		assertThat(TestHttp.get(api("/api/hello")).statusCode()).isEqualTo(200);
	}

	@Test
	void delaysEveryRequestAndKeepsTheOtherSetting() {
		set("{\"failureRate\":0}");
		JsonNode answer = TestHttp.json(set("{\"delayMillis\":300}"));
		assertThat(answer.get("delayMillis").asInt()).isEqualTo(300);
		assertThat(answer.get("failureRate").asDouble()).isZero();
		long started = System.nanoTime();
		assertThat(TestHttp.get(api("/api/hello")).statusCode()).isEqualTo(200);
		assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(300);
		assertThat(TestHttp.json(TestHttp.get(faults())).get("delayMillis").asInt()).isEqualTo(300);
	}

	@Test
	void refusesSettingsOutOfRange() {
		assertThat(set("{\"failureRate\":1.5}").statusCode()).isEqualTo(400);
		assertThat(set("{\"delayMillis\":-1}").statusCode()).isEqualTo(400);
		assertThat(TestHttp.json(TestHttp.get(faults())).get("failureRate").asDouble()).isZero();
	}

	@Test
	void isNotOnThePublicPort() {
		assertThat(TestHttp.get(api("/actuator/faults")).statusCode()).isEqualTo(404);
	}

	@Test
	void workHoldsTheRequestForTheTimeAskedAndNamesTheInstance() {
		long started = System.nanoTime();
		HttpResponse<String> response = TestHttp.get(api("/api/work?ms=200"));
		assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(200);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(TestHttp.json(response).get("instance").asString()).isEqualTo("faulty-1");
		assertThat(TestHttp.json(response).get("ms").asInt()).isEqualTo(200);
	}

	@Test
	void workRefusesATimeOutOfRange() {
		for (String ms : new String[] { "2001", "-1", "soon" }) {
			HttpResponse<String> response = TestHttp.get(api("/api/work?ms=" + ms));
			assertThat(response.statusCode()).as(ms).isEqualTo(400);
			assertThat(TestHttp.json(response).get("detail").asString()).contains("from 0 to 2000");
		}
	}

	private HttpResponse<String> set(String body) {
		return TestHttp.post(faults(), body, "Content-Type", "application/json", "Authorization", "Bearer " + TOKEN);
	}

	private String api(String path) {
		return "http://localhost:" + this.port + path;
	}

	private String faults() {
		return "http://localhost:" + this.managementPort + "/actuator/faults";
	}

}
