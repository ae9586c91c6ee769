package dev.fulcrum.gateway.cache;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The directives of a {@code Cache-Control} header (RFC 9111, section 5.2), names in
 * lower case, values without quotes.
 */
final class CacheControlDirectives {

	private static final CacheControlDirectives NONE = new CacheControlDirectives(Map.of());

	private final Map<String, String> directives;

	private CacheControlDirectives(Map<String, String> directives) {
		this.directives = directives;
	}

	static CacheControlDirectives parse(String header) {
		if (header == null || header.isBlank()) {
			return NONE;
		}
		Map<String, String> directives = new HashMap<>();
		for (String part : header.split(",")) {
			String directive = part.trim();
			if (directive.isEmpty()) {
				continue;
			}
			int equals = directive.indexOf('=');
			String name = ((equals < 0) ? directive : directive.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
			String value = (equals < 0) ? "" : directive.substring(equals + 1).trim().replace("\"", "");
			directives.putIfAbsent(name, value);
		}
		return new CacheControlDirectives(directives);
	}

	boolean has(String name) {
		return this.directives.containsKey(name);
	}

	/**
	 * A delta-seconds directive's value.
	 * @param name the directive
	 * @return its value, or -1 when absent or not a number
	 */
	long seconds(String name) {
		String value = this.directives.get(name);
		if (value == null) {
			return -1;
		}
		try {
			return Math.max(0, Long.parseLong(value));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
