package dev.fulcrum.common;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Fulcrum's tracing defaults, below anything configured. Sends spans to Zipkin only where
 * a Zipkin is named ({@code MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT}): Spring Boot's
 * default, {@code localhost:9411}, would otherwise be tried every few seconds by every
 * service that has no trace server, and each failure logged. Traces are still made and
 * propagated, and their ids are still in the logs (docs/tracing.md).
 */
class TracingEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String ENDPOINT = "management.tracing.export.zipkin.endpoint";

	static final String EXPORT = "management.tracing.export.zipkin.enabled";

	/**
	 * W3C trace context only, and no baggage: Spring Boot's defaults also read B3's
	 * headers and carry W3C baggage, which together were a third of what tracing cost the
	 * gateway per request (docs/benchmarks.md, "The cost of tracing").
	 */
	static final Map<String, Object> DEFAULTS = Map.of("management.tracing.propagation.type", "W3C",
			"management.tracing.baggage.enabled", "false");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Map<String, Object> defaults = new HashMap<>(DEFAULTS);
		String endpoint = environment.getProperty(ENDPOINT);
		if (endpoint == null || endpoint.isBlank()) {
			defaults.put(EXPORT, "false");
		}
		// Last: an explicit setting still wins.
		environment.getPropertySources().addLast(new MapPropertySource("fulcrumTracing", defaults));
	}

	@Override
	public int getOrder() {
		// After the config data (application.yml, environment variables) has been loaded.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
