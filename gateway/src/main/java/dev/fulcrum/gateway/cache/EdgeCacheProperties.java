package dev.fulcrum.gateway.cache;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The edge cache ({@code fulcrum.gateway.cache.*}).
 *
 * @param enabled whether the gateway caches at all
 * @param paths the exact paths whose GET responses may be kept (the query is part of the
 * key); whether one is kept is the service's call, through {@code Cache-Control}
 * @param maxSize memory for all entries together; the least recently used go first
 * @param maxEntrySize larger responses are passed through, not kept
 */
@ConfigurationProperties("fulcrum.gateway.cache")
record EdgeCacheProperties(@DefaultValue("true") boolean enabled, @DefaultValue("/api/catalog") List<String> paths,
		@DefaultValue("16MB") DataSize maxSize, @DefaultValue("256KB") DataSize maxEntrySize) {

	EdgeCacheProperties {
		paths = List.copyOf(paths);
	}

}
