package dev.fulcrum.gateway.tracing;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's spans, read from its own OpenTelemetry SDK: a request continues the
 * client's W3C trace, each attempt at an instance is a child span naming the instance, a
 * retried request shows both attempts, and the instance receives the context of the
 * attempt that reached it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "management.tracing.sampling.probability=1",
				"fulcrum.gateway.balancing.ejection.consecutive-failures=1000",
				"fulcrum.gateway.balancing.health.paths.api-service=/health",
				"fulcrum.gateway.rate-limit.enabled=false", "fulcrum.gateway.balancing.health.interval=1h",
				"fulcrum.management.token=tracing-tests-token", "fulcrum.gateway.auth.public-paths=GET /api/hello",
				"fulcrum.gateway.balancing.retry.budget-min-retries=100000" })
@Import({ TestRedisConfiguration.class, TestSpans.class })
class EdgeTracingTests {

	static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

	static final String CLIENT_SPAN = "00f067aa0ba902b7";

	static final List<TestBackend> backends = List.of(new TestBackend("b1"), new TestBackend("b2"));

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	TestSpans spans;

	@DynamicPropertySource
	static void upstreamInstances(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> List.of(backends.get(0).url(), backends.get(1).url()));
	}

	@BeforeEach
	void roundRobinAndWell() {
		backends.forEach(TestBackend::reset);
		assertThat(TestHttp
			.post("http://localhost:" + this.managementPort + "/actuator/balancing/api-service",
					"{\"strategy\":\"round-robin\"}", "Content-Type", "application/json", "Authorization",
					"Bearer tracing-tests-token")
			.statusCode()).isEqualTo(200);
	}

	@AfterAll
	static void stopBackends() {
		backends.forEach(TestBackend::close);
	}

	@Test
	void aRequestContinuesTheClientsTraceAndTheInstanceGetsItsAttemptsContext() {
		HttpResponse<String> response = TestHttp.get(api(), "traceparent",
				"00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("traceresponse")).get()
			.asString()
			.matches("00-" + CLIENT_TRACE + "-[0-9a-f]{16}-01");

		List<SpanData> trace = awaitSpans(CLIENT_TRACE, 2);
		SpanData server = only(trace, SpanKind.SERVER);
		assertThat(server.getParentSpanId()).as("the client's span is the parent").isEqualTo(CLIENT_SPAN);
		assertThat(server.getName()).isEqualTo("GET api-service");
		assertThat(server.getAttributes().get(AttributeKey.stringKey("http.response.status_code"))).isEqualTo("200");
		assertThat(response.headers().firstValue("traceresponse"))
			.hasValue("00-" + CLIENT_TRACE + "-" + server.getSpanId() + "-01");
		SpanData attempt = only(trace, SpanKind.CLIENT);
		assertThat(attempt.getParentSpanId()).isEqualTo(server.getSpanId());
		String servedBy = response.headers().firstValue("X-Served-By").orElseThrow();
		assertThat(attempt.getAttributes().get(AttributeKey.stringKey("fulcrum.served_by"))).isEqualTo(servedBy);
		TestBackend backend = backends.stream().filter((b) -> b.name().equals(servedBy)).findFirst().orElseThrow();
		assertThat(attempt.getAttributes().get(AttributeKey.stringKey("server.address")))
			.isEqualTo(backend.url().substring("http://".length()));
		assertThat(backend.last().header("traceparent")).as("the instance continues the attempt's span")
			.isEqualTo("00-" + CLIENT_TRACE + "-" + attempt.getSpanId() + "-01");
	}

	@Test
	void aRetriedRequestShowsEachAttemptAndTheInstanceItWentTo() {
		backends.get(0).status = 503;
		// Round robin: one of two requests goes to b1 first and is retried on b2.
		List<String> traces = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			HttpResponse<String> response = TestHttp.get(api());
			assertThat(response.statusCode()).isEqualTo(200);
			traces.add(response.headers().firstValue("traceresponse").orElseThrow().split("-")[1]);
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> traces.stream().mapToInt((id) -> this.spans.of(id).size()).sum() >= 5);
		Optional<List<SpanData>> retried = traces.stream()
			.map(this.spans::of)
			.filter((trace) -> trace.stream().filter((span) -> span.getKind() == SpanKind.CLIENT).count() == 2)
			.findFirst();
		assertThat(retried).as("one trace with two attempts").isPresent();
		SpanData server = only(retried.get(), SpanKind.SERVER);
		List<SpanData> attempts = retried.get()
			.stream()
			.filter((span) -> span.getKind() == SpanKind.CLIENT)
			.sorted(Comparator.comparing((span) -> span.getAttributes().get(AttributeKey.stringKey("fulcrum.attempt"))))
			.toList();
		assertThat(attempts)
			.allSatisfy((attempt) -> assertThat(attempt.getParentSpanId()).isEqualTo(server.getSpanId()));
		assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("fulcrum.attempt"))).isEqualTo("1");
		assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("http.response.status_code")))
			.isEqualTo("503");
		assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("server.address")))
			.isEqualTo(backends.get(0).url().substring("http://".length()));
		assertThat(attempts.get(1).getAttributes().get(AttributeKey.stringKey("fulcrum.attempt"))).isEqualTo("2");
		assertThat(attempts.get(1).getAttributes().get(AttributeKey.stringKey("fulcrum.served_by"))).isEqualTo("b2");
	}

	private List<SpanData> awaitSpans(String traceId, int count) {
		await().atMost(Duration.ofSeconds(10)).until(() -> this.spans.of(traceId).size() >= count);
		return this.spans.of(traceId);
	}

	private static SpanData only(List<SpanData> spans, SpanKind kind) {
		List<SpanData> ofKind = spans.stream().filter((span) -> span.getKind() == kind).toList();
		assertThat(ofKind).as(kind + " spans").hasSize(1);
		return ofKind.get(0);
	}

	private String api() {
		return "http://localhost:" + this.port + "/api/hello";
	}

}
