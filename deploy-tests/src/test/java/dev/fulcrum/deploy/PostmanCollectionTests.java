package dev.fulcrum.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

import static dev.fulcrum.deploy.Repository.map;
import static dev.fulcrum.deploy.Repository.maps;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Postman collection and environment under {@code postman/}, read as files: every
 * request checks its response, every job submission sends a fresh idempotency key, the
 * token that login stores is the one the others send, and the environment points at the
 * gateway with nothing but the local profile's marked demo administrator. The system
 * tests run the collection itself with newman against the local stack.
 */
class PostmanCollectionTests {

	private static final String COLLECTION = "postman/fulcrum.postman_collection.json";

	private static final String ENVIRONMENT = "postman/local.postman_environment.json";

	private final Map<String, Object> collection = Repository.yaml(COLLECTION);

	@Test
	void everyRequestChecksItsResponseWithItsOwnTests() {
		List<String> requests = new ArrayList<>();
		forEachRequest((name, item) -> {
			requests.add(name);
			assertThat(script(item, "test")).as(name + ": a test script with pm.test").contains("pm.test(");
		});
		assertThat(requests).as("requests in the collection").hasSizeGreaterThan(40);
	}

	@Test
	void checksOnEveryResponseItsRequestIdAndThatAnErrorIsAProblem() {
		String tests = script(this.collection, "test");
		assertThat(tests).contains("X-Request-Id").contains("application/problem+json").contains("problem.requestId");
	}

	@Test
	void sendsAFreshIdempotencyKeyWithEveryJobSubmission() {
		List<String> submissions = new ArrayList<>();
		forEachRequest((name, item) -> {
			Map<String, Object> request = map(item, "request");
			if (!"POST".equals(request.get("method")) || !raw(request).equals("{{baseUrl}}/api/jobs")) {
				return;
			}
			submissions.add(name);
			List<String> keys = maps(request.get("header")).stream()
				.filter((header) -> "Idempotency-Key".equalsIgnoreCase(String.valueOf(header.get("key"))))
				.map((header) -> String.valueOf(header.get("value")))
				.toList();
			if (name.endsWith("without an Idempotency-Key") || name.contains("without a key")) {
				// What these get depends on the stack's idempotency mode, which the
				// environment names: each checks the answer of every mode.
				assertThat(keys).as(name).isEmpty();
				assertThat(script(item, "test")).as(name)
					.contains("idempotencyMode")
					.contains("'required'")
					.contains("'content'")
					.contains("'optional'");
			}
			else {
				assertThat(keys).as(name + ": a new {{$guid}}, or the stored one on purpose")
					.singleElement()
					.isIn("{{$guid}}", "{{idempotencyKey}}");
			}
		});
		assertThat(submissions).as("job submissions").hasSizeGreaterThan(5);
		forEachRequest((name, item) -> {
			String pre = script(item, "prerequest");
			if (pre.contains("'idempotencyKey'")) {
				assertThat(pre).as(name + " stores a fresh key")
					.contains("set('idempotencyKey', pm.variables.replaceIn('{{$guid}}'))");
			}
		});
	}

	@Test
	void everyRequestSendsTheTokenThatLogInStored() {
		Map<String, Object> auth = map(this.collection, "auth");
		assertThat(auth.get("type")).isEqualTo("bearer");
		assertThat(maps(auth.get("bearer"))).singleElement()
			.satisfies((token) -> assertThat(token.get("value")).isEqualTo("{{accessToken}}"));
		List<String> logins = new ArrayList<>();
		forEachRequest((name, item) -> {
			if (name.equals("Auth / Log in")) {
				logins.add(name);
				assertThat(script(item, "test")).contains("set('accessToken', login.access_token)");
			}
		});
		assertThat(logins).as("the request \"Auth / Log in\"").hasSize(1);
	}

	@Test
	void theEnvironmentPointsAtTheGatewayWithOnlyTheLocalDemoAdministrator() {
		Map<String, String> values = new TreeMap<>();
		maps(Repository.yaml(ENVIRONMENT).get("values"))
			.forEach((value) -> values.put(String.valueOf(value.get("key")), String.valueOf(value.get("value"))));
		Map<String, Object> admin = map(
				map(map(Repository.yaml("auth-service/src/main/resources/application-local.yml"), "fulcrum"), "auth"),
				"demo-admin");
		assertThat(values).containsOnlyKeys("baseUrl", "idempotencyMode", "adminUsername", "adminPassword")
			.containsEntry("baseUrl", "http://localhost:" + Repository.application("gateway").port())
			.as("the api-service's default mode, which ./fulcrum up runs")
			.containsEntry("idempotencyMode", "required")
			.containsEntry("adminUsername", String.valueOf(admin.get("username")))
			.containsEntry("adminPassword", String.valueOf(admin.get("password")));
	}

	private void forEachRequest(BiConsumer<String, Map<String, Object>> visitor) {
		forEachRequest(this.collection, "", visitor);
	}

	private static void forEachRequest(Map<String, Object> folder, String prefix,
			BiConsumer<String, Map<String, Object>> visitor) {
		for (Map<String, Object> item : maps(folder.get("item"))) {
			String name = prefix.isEmpty() ? String.valueOf(item.get("name")) : prefix + " / " + item.get("name");
			if (item.containsKey("request")) {
				visitor.accept(name, item);
			}
			else {
				forEachRequest(item, name, visitor);
			}
		}
	}

	/** The script of one event ({@code test}, {@code prerequest}), or "" when none. */
	private static String script(Map<String, Object> item, String listen) {
		return maps(item.get("event")).stream()
			.filter((event) -> listen.equals(event.get("listen")))
			.map((event) -> String.join("\n", Repository.list(map(event, "script"), "exec")))
			.findFirst()
			.orElse("");
	}

	private static String raw(Map<String, Object> request) {
		return String.valueOf(map(request, "url").get("raw"));
	}

}
