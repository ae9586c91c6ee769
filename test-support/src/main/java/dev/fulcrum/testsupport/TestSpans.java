package dev.fulcrum.testsupport;

import java.util.List;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Keeps every span the service ends, as it ends it, for a test to read:
 * {@code @Import(TestSpans.class)} with
 * {@code management.tracing.sampling.probability=1}. The spans are the real ones of the
 * service's OpenTelemetry SDK, not a mock.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestSpans {

	private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

	@Bean
	SpanProcessor testSpanProcessor() {
		return SimpleSpanProcessor.create(this.exporter);
	}

	/**
	 * The spans ended so far, in the order they ended.
	 * @return the spans
	 */
	public List<SpanData> ended() {
		return this.exporter.getFinishedSpanItems();
	}

	/**
	 * The spans of one trace ended so far.
	 * @param traceId the trace's id, 32 hex digits
	 * @return its spans
	 */
	public List<SpanData> of(String traceId) {
		return ended().stream().filter((span) -> span.getTraceId().equals(traceId)).toList();
	}

}
