package dev.fulcrum.gateway.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;

/**
 * Responses kept in memory, by key (path and query), least recently used first out when
 * the stored bodies exceed the budget. One variant per key: a response that varies on a
 * request header is kept with the request's value of it, and serves only requests that
 * have the same.
 */
final class EdgeCache {

	private final long maxBytes;

	private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);

	private long bytes;

	EdgeCache(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	synchronized Entry get(String key) {
		return this.entries.get(key);
	}

	synchronized void put(String key, Entry entry) {
		remove(key);
		this.entries.put(key, entry);
		this.bytes += entry.body().length;
		Iterator<Map.Entry<String, Entry>> oldest = this.entries.entrySet().iterator();
		while (this.bytes > this.maxBytes && oldest.hasNext()) {
			this.bytes -= oldest.next().getValue().body().length;
			oldest.remove();
		}
	}

	synchronized void remove(String key) {
		Entry removed = this.entries.remove(key);
		if (removed != null) {
			this.bytes -= removed.body().length;
		}
	}

	synchronized int size() {
		return this.entries.size();
	}

	synchronized long bytes() {
		return this.bytes;
	}

	/**
	 * One kept response.
	 *
	 * @param headers the response headers worth replaying
	 * @param body the body
	 * @param etag its entity tag, or {@code null}
	 * @param varied the request's values of the headers the response varies on
	 * @param storedAt when it was stored ({@link System#nanoTime()})
	 * @param initialAgeSeconds its {@code Age} when it arrived
	 * @param lifetimeSeconds how long it is fresh, counted from its age zero
	 */
	record Entry(HttpHeaders headers, byte[] body, String etag, Map<String, List<String>> varied, long storedAt,
			long initialAgeSeconds, long lifetimeSeconds) {

		long ageSeconds(long now) {
			return this.initialAgeSeconds + (now - this.storedAt) / 1_000_000_000L;
		}

		boolean fresh(long now) {
			return this.initialAgeSeconds * 1_000_000_000L + (now - this.storedAt) < this.lifetimeSeconds
					* 1_000_000_000L;
		}

		boolean matches(HttpHeaders request) {
			for (Map.Entry<String, List<String>> vary : this.varied.entrySet()) {
				List<String> values = request.get(vary.getKey());
				if (!vary.getValue().equals((values != null) ? values : List.of())) {
					return false;
				}
			}
			return true;
		}

	}

}
