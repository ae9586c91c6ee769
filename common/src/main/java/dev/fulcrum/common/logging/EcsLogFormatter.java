package dev.fulcrum.common.logging;

import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

import org.springframework.boot.logging.structured.ElasticCommonSchemaProperties;
import org.springframework.boot.logging.structured.StructuredLogFormatter;
import org.springframework.core.env.Environment;

/**
 * One log event as one line of Elastic Common Schema JSON, the same fields in the same
 * order as Spring Boot's {@code ecs} format: {@code @timestamp}, {@code log.level} and
 * {@code log.logger}, {@code process.pid} and {@code process.thread.name},
 * {@code service.*}, {@code message}, the MDC and the event's key-value pairs as
 * top-level fields (except the trace and span ids of Micrometer Tracing, written as ECS's
 * {@code trace.id} and {@code span.id}), {@code error.*} for an exception, {@code tags}
 * for markers, and {@code ecs.version}.
 * <p>
 * Written by hand into one {@link StringBuilder} because it runs for every request the
 * gateway proxies: Spring Boot's formatter encodes its JSON character by character
 * through an {@code OutputStreamWriter}, which the gateway benchmark measured at about 15
 * % of its throughput. Selected by {@code LOG_FORMAT} (the default in every service's
 * {@code application.yml}); {@code LOG_FORMAT=ecs} selects Spring Boot's again.
 */
public class EcsLogFormatter implements StructuredLogFormatter<ILoggingEvent> {

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	/** The MDC key (or key-value pair) written as ECS's {@code trace.id}. */
	public static final String TRACE_ID = "traceId";

	/** The MDC key (or key-value pair) written as ECS's {@code span.id}. */
	public static final String SPAN_ID = "spanId";

	private final ThrowableProxyConverter throwableConverter;

	/** {@code "process":{"pid":...,"thread":{"name":"}, or the part without a pid. */
	private final String processPrefix;

	/** {@code "service":{...},} or nothing when no service field is known. */
	private final String service;

	/**
	 * Creates the formatter (Spring Boot passes its arguments).
	 * @param environment where {@code spring.application.*} and
	 * {@code logging.structured.ecs.*} come from
	 * @param throwableConverter renders an exception's stack trace
	 */
	public EcsLogFormatter(Environment environment, ThrowableProxyConverter throwableConverter) {
		this.throwableConverter = throwableConverter;
		Long pid = environment.getProperty("spring.application.pid", Long.class);
		this.processPrefix = "\"process\":{" + ((pid != null) ? "\"pid\":" + pid + "," : "") + "\"thread\":{\"name\":";
		this.service = service(ElasticCommonSchemaProperties.get(environment).service());
	}

	private static String service(ElasticCommonSchemaProperties.Service service) {
		StringBuilder json = new StringBuilder();
		member(json, "name", service.name());
		member(json, "version", service.version());
		member(json, "environment", service.environment());
		if (service.nodeName() != null) {
			json.append("\"node\":{");
			member(json, "name", service.nodeName());
			json.setLength(json.length() - 1);
			json.append("},");
		}
		if (json.isEmpty()) {
			return "";
		}
		json.setLength(json.length() - 1);
		return "\"service\":{" + json + "},";
	}

	private static void member(StringBuilder json, String name, String value) {
		if (value != null) {
			json.append('"').append(name).append("\":");
			string(json, value);
			json.append(',');
		}
	}

	@Override
	public String format(ILoggingEvent event) {
		StringBuilder json = new StringBuilder(384);
		json.append("{\"@timestamp\":\"").append(event.getInstant()).append("\",\"log\":{\"level\":\"");
		json.append(event.getLevel()).append("\",\"logger\":");
		string(json, event.getLoggerName());
		json.append("},").append(this.processPrefix);
		string(json, event.getThreadName());
		json.append("}},").append(this.service).append("\"message\":");
		string(json, event.getFormattedMessage());
		Map<String, String> mdc = event.getMDCPropertyMap();
		if (mdc != null) {
			mdc.forEach((key, value) -> pair(json, key, value));
		}
		List<KeyValuePair> pairs = event.getKeyValuePairs();
		if (pairs != null) {
			for (KeyValuePair pair : pairs) {
				pair(json, pair.key, pair.value);
			}
		}
		IThrowableProxy throwable = event.getThrowableProxy();
		if (throwable != null) {
			json.append(",\"error\":{\"type\":");
			string(json, throwable.getClassName());
			if (throwable.getMessage() != null) {
				json.append(",\"message\":");
				string(json, throwable.getMessage());
			}
			json.append(",\"stack_trace\":");
			string(json, this.throwableConverter.convert(event));
			json.append('}');
		}
		List<Marker> markers = event.getMarkerList();
		if (markers != null && !markers.isEmpty()) {
			Set<String> tags = new TreeSet<>();
			markers.forEach((marker) -> addMarker(tags, marker));
			json.append(",\"tags\":[");
			for (String tag : tags) {
				string(json, tag);
				json.append(',');
			}
			json.setCharAt(json.length() - 1, ']');
		}
		return json.append(",\"ecs\":{\"version\":\"8.11\"}}\n").toString();
	}

	@Override
	public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
		return format(event).getBytes(charset);
	}

	private static void addMarker(Set<String> tags, Marker marker) {
		tags.add(marker.getName());
		if (marker.hasReferences()) {
			marker.iterator().forEachRemaining((reference) -> addMarker(tags, reference));
		}
	}

	private static void pair(StringBuilder json, String key, Object value) {
		if (key == null) {
			return;
		}
		if (TRACE_ID.equals(key) || SPAN_ID.equals(key)) {
			if (value == null) {
				return;
			}
			// Micrometer Tracing's MDC keys, as ECS names them: trace.id and span.id.
			json.append(TRACE_ID.equals(key) ? ",\"trace\":{\"id\":" : ",\"span\":{\"id\":");
			string(json, value.toString());
			json.append('}');
			return;
		}
		json.append(',');
		string(json, key);
		json.append(':');
		if (value == null) {
			json.append("null");
		}
		else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
				|| value instanceof Boolean) {
			json.append(value);
		}
		else if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
			json.append(number);
		}
		else {
			string(json, value.toString());
		}
	}

	/**
	 * Appends a JSON string: quoted, with quotes, backslashes and control characters
	 * escaped.
	 */
	static void string(StringBuilder json, String value) {
		if (value == null) {
			json.append("null");
			return;
		}
		json.append('"');
		int start = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c >= 0x20 && c != '"' && c != '\\') {
				continue;
			}
			json.append(value, start, i);
			start = i + 1;
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				case '\b' -> json.append("\\b");
				case '\f' -> json.append("\\f");
				default -> json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
			}
		}
		json.append(value, start, value.length()).append('"');
	}

}
