package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static dev.fulcrum.api.jobs.JobSubmissionTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/jobs} in {@code content} mode, over real HTTP and real Redis: without
 * an {@code Idempotency-Key} the server derives one from the user, method, path and
 * canonical body, for a window (3 s here); a key the client sends still wins.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.jobs.high-watermark=100000",
				"fulcrum.idempotency.routes.jobs.mode=content", "fulcrum.idempotency.routes.jobs.window=3s",
				"fulcrum.idempotency.sample-interval=1h" })
@Import(TestRedisConfiguration.class)
class ContentIdempotencyTests extends JobsOverHttp {

	static final Duration WINDOW = Duration.ofSeconds(3);

	@Autowired
	MeterRegistry meters;

	@Autowired
	IdempotencyRecords records;

	String user;

	String alice;

	@BeforeEach
	void users() {
		String name = "alice-" + UUID.randomUUID();
		this.alice = issuer.token(name);
		// The token's subject, which keys are scoped by.
		this.user = "user-" + name;
	}

	@Test
	void replaysTheSameContentWithMembersReorderedAndOtherWhitespace() {
		long streamBefore = streamLength();
		HttpResponse<String> first = postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"a\":1,\"b\":[1,2]}}");
		HttpResponse<String> again = postJob(this.alice,
				"{ \"payload\" : { \"b\" : [ 1, 2 ], \"a\" : 1 },\n  \"type\" : \"echo\" }");
		assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
		assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
		String derived = first.headers().firstValue("Idempotency-Key").orElseThrow();
		assertThat(derived).matches("content-sha256:[0-9a-f]{64}");
		assertThat(again.statusCode()).isEqualTo(202);
		assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(again.headers().firstValue("Idempotency-Key")).as("the key it derived").hasValue(derived);
		assertThat(TestHttp.json(again)).isEqualTo(TestHttp.json(first));
		assertThat(streamLength()).as("one job queued").isEqualTo(streamBefore + 1);
		String id = TestHttp.json(first).get("id").asString();
		assertThat(this.redis.opsForHash().get(JobKeys.job(id), "idempotencyKey")).isEqualTo(derived);
		assertThat(this.redis.opsForHash().get(JobKeys.job(id), "idempotencySource")).isEqualTo("derived");
		assertThat(this.redis.getExpire(JobKeys.idempotency(this.user, derived)))
			.as("the record lives for the window, not the day of a sent key")
			.isBetween(1L, WINDOW.toSeconds());
	}

	@Test
	void makesANewJobOfADifferentBodyOrAnotherUser() {
		HttpResponse<String> first = postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"a\":1}}");
		HttpResponse<String> otherPayload = postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"a\":2}}");
		HttpResponse<String> extraMember = postJob(this.alice,
				"{\"type\":\"echo\",\"payload\":{\"a\":1},\"note\":\"x\"}");
		HttpResponse<String> otherUser = postJob(issuer.token("bob-" + UUID.randomUUID()),
				"{\"type\":\"echo\",\"payload\":{\"a\":1}}");
		for (HttpResponse<String> response : List.of(otherPayload, extraMember, otherUser)) {
			assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
			assertThat(response.headers().firstValue("Idempotent-Replayed")).isEmpty();
			assertThat(TestHttp.json(response).get("id")).isNotEqualTo(TestHttp.json(first).get("id"));
			assertThat(response.headers().firstValue("Idempotency-Key"))
				.isNotEqualTo(first.headers().firstValue("Idempotency-Key"));
		}
	}

	@Test
	void letsASentKeyWin() {
		String body = "{\"type\":\"echo\",\"payload\":{\"sent\":true}}";
		HttpResponse<String> derived = postJob(this.alice, body);
		String key = UUID.randomUUID().toString();
		HttpResponse<String> sent = postJob(this.alice, body, "Idempotency-Key", key);
		HttpResponse<String> sentAgain = postJob(this.alice, body, "Idempotency-Key", key);
		assertThat(TestHttp.json(sent).get("id")).as("a new job: the client said so")
			.isNotEqualTo(TestHttp.json(derived).get("id"));
		assertThat(sent.headers().firstValue("Idempotency-Key")).as("no key derived").isEmpty();
		assertThat(sentAgain.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(TestHttp.json(sentAgain)).isEqualTo(TestHttp.json(sent));
		assertThat(this.redis.getExpire(JobKeys.idempotency(this.user, key))).as("a sent key is kept a day")
			.isGreaterThan(86_000L);
	}

	@Test
	void appliesThe422RuleToADerivedKeySentBack() {
		HttpResponse<String> first = postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"n\":1}}");
		String derived = first.headers().firstValue("Idempotency-Key").orElseThrow();
		HttpResponse<String> sameContent = postJob(this.alice, "{\"payload\":{\"n\":1},\"type\":\"echo\"}",
				"Idempotency-Key", derived);
		assertThat(sameContent.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(TestHttp.json(sameContent)).isEqualTo(TestHttp.json(first));
		long streamBefore = streamLength();
		assertProblem(postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"n\":2}}", "Idempotency-Key", derived), 422,
				"idempotency-key-reused");
		assertThat(streamLength()).as("nothing stored").isEqualTo(streamBefore);
		assertThat(counter("derived", "replayed") + counter("sent", "replayed")).isPositive();
		assertThat(counter("sent", "mismatch")).isPositive();
	}

	@Test
	void makesANewJobOfTheSameContentOnceTheWindowIsOver() {
		String body = "{\"type\":\"echo\",\"payload\":{\"window\":1}}";
		HttpResponse<String> first = postJob(this.alice, body);
		String derived = first.headers().firstValue("Idempotency-Key").orElseThrow();
		await().alias("the derived key's record expires with the window")
			.atMost(WINDOW.plusSeconds(5))
			.until(() -> !this.redis.hasKey(JobKeys.idempotency(this.user, derived)));
		HttpResponse<String> later = postJob(this.alice, body);
		assertThat(later.statusCode()).isEqualTo(202);
		assertThat(later.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(later.headers().firstValue("Idempotency-Key")).as("the same key, derived again").hasValue(derived);
		String firstId = TestHttp.json(first).get("id").asString();
		assertThat(TestHttp.json(later).get("id").asString()).isNotEqualTo(firstId);
		assertThat(this.redis.opsForHash().get(JobKeys.job(firstId), "status")).as("the first job is untouched")
			.isEqualTo("QUEUED");
	}

	@Test
	void countsTheRecordsAndTheirMemory() {
		// From none: the records of the tests before have expired, so the count is exact.
		await().alias("the derived records of the tests before expire").atMost(WINDOW.plusSeconds(5)).until(() -> {
			this.records.sample();
			return gauge("fulcrum.idempotency.records", "derived") == 0;
		});
		for (int i = 0; i < 5; i++) {
			postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"count\":" + i + "}}");
		}
		postJob(this.alice, "{\"type\":\"echo\",\"payload\":{\"count\":0}}");
		this.records.sample();
		assertThat(gauge("fulcrum.idempotency.records", "derived")).as("five records, the replay made none")
			.isEqualTo(5);
		double bytes = gauge("fulcrum.idempotency.memory", "derived");
		assertThat(bytes / gauge("fulcrum.idempotency.records", "derived")).as("bytes a record, with its response")
			.isBetween(300.0, 2000.0);
		await().alias("every record counted is gone after the window").atMost(WINDOW.plusSeconds(5)).until(() -> {
			this.records.sample();
			return gauge("fulcrum.idempotency.records", "derived") == 0;
		});
		assertThat(gauge("fulcrum.idempotency.memory", "derived")).isZero();
	}

	@Test
	void derivesNoKeyFromABodyPast64KiBAndStoresNothing() {
		long streamBefore = streamLength();
		String big = "{\"type\":\"echo\",\"payload\":{},\"note\":\"" + "x".repeat(70_000) + "\"}";
		assertProblem(postJob(this.alice, big), 413, "payload-too-large");
		assertThat(streamLength()).isEqualTo(streamBefore);
		HttpResponse<String> keyed = postJob(this.alice, big, "Idempotency-Key", UUID.randomUUID().toString());
		assertThat(keyed.statusCode()).as("with a key the body is not kept: ignored members are ignored")
			.isEqualTo(202);
	}

	@Test
	void describesTheModesInTheOpenApiDocument() {
		JsonNode submit = TestHttp.json(TestHttp.get("http://127.0.0.1:" + this.port + "/api/openapi.json"))
			.at("/paths/~1api~1jobs/post");
		JsonNode key = submit.get("parameters")
			.valueStream()
			.filter((parameter) -> "Idempotency-Key".equals(parameter.get("name").asString()))
			.findFirst()
			.orElseThrow();
		assertThat(key.get("in").asString()).isEqualTo("header");
		assertThat(key.path("required").asBoolean(false)).as("optional but in required mode").isFalse();
		assertThat(key.get("description").asString()).contains("required").contains("content").contains("optional");
		assertThat(submit.get("description").asString()).contains("content derives a key");
		assertThat(submit.at("/responses/202/headers/Idempotency-Key/description").asString())
			.contains("content-sha256:");
		assertThat(submit.at("/responses/202/headers/Idempotent-Replayed").isObject()).isTrue();
		assertThat(submit.at("/responses/202/content/application~1json/schema/$ref").asString()).endsWith("/JobView");
	}

	private double counter(String key, String outcome) {
		var counter = this.meters.find("fulcrum.idempotency.requests")
			.tags("mode", "content", "key", key, "outcome", outcome)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private double gauge(String name, String key) {
		return this.meters.get(name).tag("key", key).gauge().value();
	}

}
