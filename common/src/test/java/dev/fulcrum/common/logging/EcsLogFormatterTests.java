package dev.fulcrum.common.logging;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One event, one line of valid ECS JSON with the fields of Spring Boot's {@code ecs}
 * format, whatever the message holds.
 */
class EcsLogFormatterTests {

	private final JsonMapper json = JsonMapper.builder().build();

	private final LoggerContext context = new LoggerContext();

	{
		this.context.setMDCAdapter(new LogbackMDCAdapter());
	}

	private final EcsLogFormatter formatter = new EcsLogFormatter(
			new MockEnvironment().withProperty("spring.application.name", "gateway")
				.withProperty("spring.application.version", "1.2.3")
				.withProperty("spring.application.pid", "4242")
				.withProperty("logging.structured.ecs.service.node-name", "gateway-1"),
			converter());

	private ThrowableProxyConverter converter() {
		ThrowableProxyConverter converter = new ThrowableProxyConverter();
		converter.setContext(this.context);
		converter.start();
		return converter;
	}

	@Test
	void writesTheEcsFieldsOnOneLine() {
		LoggingEvent event = event("request completed", null);
		event.setMDCPropertyMap(Map.of("requestId", "abc-1"));
		event.setKeyValuePairs(List.of(new KeyValuePair("status", 200), new KeyValuePair("durationMs", 12L),
				new KeyValuePair("servedBy", null), new KeyValuePair("path", "/api/hello")));
		String line = this.formatter.format(event);
		assertThat(line).endsWith("}\n").doesNotContain("\n{");
		JsonNode node = this.json.readTree(line);
		assertThat(node.path("@timestamp").asString()).isEqualTo("2026-11-29T03:04:05.123456789Z");
		assertThat(node.path("log").path("level").asString()).isEqualTo("INFO");
		assertThat(node.path("log").path("logger").asString()).isEqualTo("dev.fulcrum.test");
		assertThat(node.path("process").path("pid").asLong()).isEqualTo(4242);
		assertThat(node.path("process").path("thread").path("name").asString()).isEqualTo("worker \"1\"");
		assertThat(node.path("service").path("name").asString()).isEqualTo("gateway");
		assertThat(node.path("service").path("version").asString()).isEqualTo("1.2.3");
		assertThat(node.path("service").path("node").path("name").asString()).isEqualTo("gateway-1");
		assertThat(node.path("message").asString()).isEqualTo("request completed");
		assertThat(node.path("requestId").asString()).isEqualTo("abc-1");
		assertThat(node.path("status").isInt()).isTrue();
		assertThat(node.path("status").asInt()).isEqualTo(200);
		assertThat(node.path("durationMs").asLong()).isEqualTo(12);
		assertThat(node.path("servedBy").isNull()).isTrue();
		assertThat(node.path("path").asString()).isEqualTo("/api/hello");
		assertThat(node.path("ecs").path("version").asString()).isEqualTo("8.11");
		assertThat(node.has("error")).isFalse();
		assertThat(node.has("tags")).isFalse();
	}

	@Test
	void writesTheTraceAndSpanIdsAsEcsNamesThem() {
		LoggingEvent event = event("job done", null);
		event.setMDCPropertyMap(Map.of("traceId", "4bf92f3577b34da6a3ce929d0e0e4736", "spanId", "00f067aa0ba902b7"));
		JsonNode node = this.json.readTree(this.formatter.format(event));
		assertThat(node.path("trace").path("id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
		assertThat(node.path("span").path("id").asString()).isEqualTo("00f067aa0ba902b7");
		assertThat(node.has("traceId")).isFalse();
		assertThat(node.has("spanId")).isFalse();
		LoggingEvent pairs = event("request completed", null);
		pairs.setKeyValuePairs(List.of(new KeyValuePair("traceId", "4bf92f3577b34da6a3ce929d0e0e4736"),
				new KeyValuePair("spanId", "00f067aa0ba902b7")));
		JsonNode fromPairs = this.json.readTree(this.formatter.format(pairs));
		assertThat(fromPairs.path("trace").path("id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
		assertThat(fromPairs.path("span").path("id").asString()).isEqualTo("00f067aa0ba902b7");
	}

	@Test
	void escapesWhateverTheMessageHolds() {
		String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode é ✓";
		JsonNode node = this.json.readTree(this.formatter.format(event(nasty, null)));
		assertThat(node.path("message").asString()).isEqualTo(nasty);
	}

	@Test
	void writesAnExceptionAsErrorFields() {
		IllegalStateException failure = new IllegalStateException("it broke \"badly\"");
		JsonNode node = this.json.readTree(this.formatter.format(event("failed", failure)));
		assertThat(node.path("error").path("type").asString()).isEqualTo("java.lang.IllegalStateException");
		assertThat(node.path("error").path("message").asString()).isEqualTo("it broke \"badly\"");
		assertThat(node.path("error").path("stack_trace").asString())
			.contains("java.lang.IllegalStateException: it broke \"badly\"")
			.contains("at dev.fulcrum.common.logging.EcsLogFormatterTests");
	}

	@Test
	void writesMarkersAsSortedTags() {
		LoggingEvent event = event("marked", null);
		event.addMarker(MarkerFactory.getMarker("SECURITY"));
		event.addMarker(MarkerFactory.getMarker("AUDIT"));
		JsonNode node = this.json.readTree(this.formatter.format(event));
		assertThat(node.path("tags").values()).extracting(JsonNode::asString).containsExactly("AUDIT", "SECURITY");
	}

	@Test
	void leavesOutWhatIsNotKnown() {
		EcsLogFormatter bare = new EcsLogFormatter(new MockEnvironment(), converter());
		JsonNode node = this.json.readTree(bare.format(event("plain", null)));
		assertThat(node.has("service")).isFalse();
		assertThat(node.path("process").has("pid")).isFalse();
		assertThat(node.path("message").asString()).isEqualTo("plain");
	}

	private LoggingEvent event(String message, Throwable throwable) {
		LoggingEvent event = new LoggingEvent("dev.fulcrum.test", this.context.getLogger("dev.fulcrum.test"),
				Level.INFO, message, throwable, null);
		event.setThreadName("worker \"1\"");
		event.setInstant(Instant.parse("2026-11-29T03:04:05.123456789Z"));
		return event;
	}

}
