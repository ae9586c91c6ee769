package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/jobs} in {@code optional} mode, over real HTTP and real Redis: without
 * a key every submission is a new job and nothing is recorded; with one, the key's rules
 * hold as in {@code required} mode.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.jobs.high-watermark=100000",
				"fulcrum.idempotency.routes.jobs.mode=optional", "fulcrum.idempotency.sample-interval=1h" })
@Import(TestRedisConfiguration.class)
class OptionalIdempotencyTests extends JobsOverHttp {

	@Autowired
	MeterRegistry meters;

	@Test
	void makesANewJobOfEverySubmissionWithoutAKeyAndRecordsNothing() {
		String name = "alice-" + UUID.randomUUID();
		String token = issuer.token(name);
		String user = "user-" + name;
		String body = "{\"type\":\"echo\",\"payload\":{\"same\":true}}";
		long streamBefore = streamLength();
		HttpResponse<String> first = postJob(token, body);
		HttpResponse<String> second = postJob(token, body);
		for (HttpResponse<String> response : new HttpResponse[] { first, second }) {
			assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
			assertThat(response.headers().firstValue("Idempotent-Replayed")).isEmpty();
			assertThat(response.headers().firstValue("Idempotency-Key")).isEmpty();
		}
		String id = TestHttp.json(first).get("id").asString();
		assertThat(TestHttp.json(second).get("id").asString()).isNotEqualTo(id);
		assertThat(streamLength()).isEqualTo(streamBefore + 2);
		assertThat(this.redis.opsForHash().hasKey(JobKeys.job(id), "idempotencyRecord")).isFalse();
		assertThat(this.redis.keys("fulcrum:{jobs}:idem:" + user + ":*")).as("no record").isEmpty();
		assertThat(this.meters.get("fulcrum.idempotency.requests")
			.tags("mode", "optional", "key", "none", "outcome", "created")
			.counter()
			.count()).isGreaterThanOrEqualTo(2);
	}

	@Test
	void keepsTheRulesOfASentKey() {
		String token = issuer.token("bob-" + UUID.randomUUID());
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = postJob(token, "{\"type\":\"echo\",\"payload\":{}}", "Idempotency-Key", key);
		HttpResponse<String> again = postJob(token, "{\"type\":\"echo\",\"payload\":{}}", "Idempotency-Key", key);
		assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(TestHttp.json(again)).isEqualTo(TestHttp.json(first));
		JobSubmissionTests.assertProblem(
				postJob(token, "{\"type\":\"echo\",\"payload\":{\"other\":1}}", "Idempotency-Key", key), 422,
				"idempotency-key-reused");
		JobSubmissionTests.assertProblem(
				postJob(token, "{\"type\":\"echo\",\"payload\":{}}", "Idempotency-Key", "k".repeat(256)), 400,
				"idempotency-key-invalid");
	}

}
