package dev.fulcrum.system;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client abusing the running stack ({@code ./fulcrum up}, small limits set from the
 * environment): each test is one attack of issue 17, and asserts that it is refused or
 * contained and that every other client goes on as before. Each of them failed on the
 * code before the fix it tests.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AbuseSystemTests {

	/** The queue is full at 30 jobs not yet final, of all users together. */
	static final int HIGH_WATERMARK = 30;

	static LocalStack stack;

	static String gateway;

	@BeforeAll
	@Timeout(value = 6, unit = TimeUnit.MINUTES)
	static void up() {
		stack = LocalStack.up(Map.of("JOBS_HIGH_WATERMARK", String.valueOf(HIGH_WATERMARK)));
		gateway = stack.url("gateway");
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
		}
	}

	/**
	 * Attack: fill the job queue and keep submitting. The API answers {@code 503
	 * queue-full} with {@code Retry-After}, as designed; the gateway once counted those
	 * as failures of the route, opened the breaker, and every client's {@code /api/**}
	 * call got {@code 503 circuit-open}.
	 */
	@Test
	void aFullQueueIsBackpressureForItsSubmittersNotAnOutageForEveryone() {
		String flooder = newUser("flooder");
		List<HttpResponse<String>> answers = new ArrayList<>();
		for (int i = 0; i < HIGH_WATERMARK + 25; i++) {
			answers.add(submit(flooder, Map.of("type", "sleep", "payload", Map.of("ms", 30_000))));
		}
		List<HttpResponse<String>> refused = answers.stream().filter((answer) -> answer.statusCode() == 503).toList();
		assertThat(refused).as("submissions past the high watermark").hasSizeGreaterThanOrEqualTo(25);
		assertThat(refused).allSatisfy((answer) -> {
			assertThat(TestHttp.json(answer).get("type").asString()).isEqualTo("urn:fulcrum:problem:queue-full");
			assertThat(answer.headers().firstValue("Retry-After")).isPresent();
		});

		String bystander = newUser("bystander");
		for (int i = 0; i < 20; i++) {
			assertThat(TestHttp.get(gateway + "/api/hello").statusCode()).as("public GET /api/hello").isEqualTo(200);
			assertThat(TestHttp.get(gateway + "/api/me", "Authorization", bystander).statusCode()).as("GET /api/me")
				.isEqualTo(200);
		}
		assertThat(breakerState("api-service")).isEqualTo("CLOSED");
	}

	private String breakerState(String route) {
		return TestHttp.json(TestHttp.get(stack.management("gateway") + "/circuitbreakers"))
			.get("routes")
			.get(route)
			.get("state")
			.asString();
	}

	/**
	 * Registers and logs in a user of its own; returns its {@code Authorization} value.
	 */
	private static String newUser(String prefix) {
		String credentials = TestHttp.toJson(Map.of("username", prefix + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		HttpResponse<String> registered = TestHttp.post(gateway + "/auth/register", credentials);
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
		HttpResponse<String> login = TestHttp.post(gateway + "/auth/login", credentials);
		assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
		return "Bearer " + TestHttp.json(login).get("access_token").asString();
	}

	private static HttpResponse<String> submit(String bearer, Map<String, Object> job) {
		return TestHttp.post(gateway + "/api/jobs", TestHttp.toJson(job), "Authorization", bearer, "Idempotency-Key",
				UUID.randomUUID().toString());
	}

}
