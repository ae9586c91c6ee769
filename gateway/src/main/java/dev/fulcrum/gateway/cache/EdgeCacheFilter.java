package dev.fulcrum.gateway.cache;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.gateway.auth.PendingRevocation;
import dev.fulcrum.gateway.reactor.EventLoops;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Serves {@code GET} and {@code HEAD} of the configured paths from the edge cache while
 * the kept response is fresh ({@code X-Cache: HIT}, with its {@code Age}, or a 304 when
 * the client's {@code If-None-Match} names it); otherwise passes the request on
 * ({@code X-Cache: MISS}) and keeps the answer if the service allows a shared cache to.
 * <p>
 * Honours RFC 9111 in what matters here: a response is kept only if it is a 200 with
 * {@code s-maxage} or {@code max-age} and without {@code no-store}, {@code private},
 * {@code no-cache} or {@code Set-Cookie}, and to a request with {@code Authorization}
 * only if it says {@code public}; {@code Vary} is respected; a request's own
 * {@code no-cache} skips the kept copy and its {@code no-store} keeps nothing; a
 * {@code POST}, {@code PUT}, {@code PATCH} or {@code DELETE} to a path drops its copy.
 * <p>
 * Runs just before the filter that writes the proxied body, so that it can keep it: after
 * edge authentication, before rate limiting and balancing, which a hit never reaches; so
 * it looks a token's {@linkplain PendingRevocation revocation} up itself.
 */
@Component
class EdgeCacheFilter implements GlobalFilter, Ordered {

	static final String X_CACHE = "X-Cache";

	/** What a kept response replays; per-request headers (request id, limits) are not. */
	private static final List<String> KEPT_HEADERS = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_LENGTH,
			HttpHeaders.CONTENT_ENCODING, HttpHeaders.CONTENT_LANGUAGE, HttpHeaders.CACHE_CONTROL, HttpHeaders.ETAG,
			HttpHeaders.LAST_MODIFIED, HttpHeaders.EXPIRES, HttpHeaders.VARY, "X-Served-By");

	private static final Set<HttpMethod> INVALIDATING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
			HttpMethod.DELETE);

	private final EdgeCacheProperties properties;

	private final EdgeCache cache;

	private final Counter hits;

	private final Counter misses;

	EdgeCacheFilter(EdgeCacheProperties properties, MeterRegistry meters) {
		this.properties = properties;
		this.cache = new EdgeCache(properties.maxSize().toBytes());
		this.hits = requests(meters, "hit");
		this.misses = requests(meters, "miss");
		Gauge.builder("fulcrum.gateway.cache.entries", this.cache, EdgeCache::size)
			.description("Responses in the edge cache")
			.register(meters);
		Gauge.builder("fulcrum.gateway.cache.size", this.cache, EdgeCache::bytes)
			.description("Bytes of response bodies in the edge cache")
			.baseUnit("bytes")
			.register(meters);
	}

	private static Counter requests(MeterRegistry meters, String outcome) {
		return Counter.builder("fulcrum.gateway.cache.requests")
			.description("Requests to cached paths, by whether the edge cache answered them")
			.tag("outcome", outcome)
			.register(meters);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!this.properties.enabled() || !this.properties.paths().contains(request.getPath().value())) {
			return chain.filter(exchange);
		}
		PendingRevocation revocation = PendingRevocation.take(exchange);
		if (revocation != null) {
			// A hit answers with a service's data: the token's revocation is looked up
			// first, on its own.
			return revocation.check(exchange, () -> cached(exchange, chain));
		}
		return cached(exchange, chain);
	}

	private Mono<Void> cached(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		String query = request.getURI().getRawQuery();
		String key = request.getPath().value() + ((query != null) ? "?" + query : "");
		HttpMethod method = request.getMethod();
		if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
			if (INVALIDATING.contains(method)) {
				this.cache.remove(key);
			}
			return chain.filter(exchange);
		}
		CacheControlDirectives asked = CacheControlDirectives
			.parse(request.getHeaders().getFirst(HttpHeaders.CACHE_CONTROL));
		boolean noStore = asked.has("no-store");
		boolean revalidate = asked.has("no-cache") || "no-cache".equals(request.getHeaders().getFirst("Pragma"));
		if (!noStore && !revalidate) {
			EdgeCache.Entry entry = this.cache.get(key);
			long now = System.nanoTime();
			if (entry != null && entry.fresh(now) && entry.matches(request.getHeaders())) {
				this.hits.increment();
				return EventLoops.answerLater(exchange, () -> serve(exchange, entry, now));
			}
		}
		this.misses.increment();
		exchange.getResponse().beforeCommit(() -> {
			exchange.getResponse().getHeaders().set(X_CACHE, "MISS");
			return Mono.empty();
		});
		if (noStore || !HttpMethod.GET.equals(method)) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().response(new Keeping(exchange, key)).build());
	}

	private Mono<Void> serve(ServerWebExchange exchange, EdgeCache.Entry entry, long now) {
		ServerHttpResponse response = exchange.getResponse();
		HttpHeaders headers = response.getHeaders();
		entry.headers().forEach(headers::put);
		headers.set(HttpHeaders.AGE, Long.toString(entry.ageSeconds(now)));
		headers.set(X_CACHE, "HIT");
		if (entry.etag() != null
				&& matchesAny(exchange.getRequest().getHeaders().getFirst(HttpHeaders.IF_NONE_MATCH), entry.etag())) {
			response.setStatusCode(HttpStatus.NOT_MODIFIED);
			headers.remove(HttpHeaders.CONTENT_LENGTH);
			headers.remove(HttpHeaders.CONTENT_TYPE);
			return response.setComplete();
		}
		response.setStatusCode(HttpStatus.OK);
		if (HttpMethod.HEAD.equals(exchange.getRequest().getMethod())) {
			return response.setComplete();
		}
		return response.writeWith(Mono.just(response.bufferFactory().wrap(entry.body())));
	}

	/** {@code If-None-Match} uses the weak comparison (RFC 9110, section 13.1.2). */
	static boolean matchesAny(String ifNoneMatch, String etag) {
		if (ifNoneMatch == null) {
			return false;
		}
		String opaque = weakless(etag);
		for (String candidate : ifNoneMatch.split(",")) {
			String tag = candidate.trim();
			if (tag.equals("*") || weakless(tag).equals(opaque)) {
				return true;
			}
		}
		return false;
	}

	private static String weakless(String tag) {
		return tag.startsWith("W/") ? tag.substring(2) : tag;
	}

	@Override
	public int getOrder() {
		return FilterOrder.EDGE_CACHE;
	}

	/** Keeps the proxied body when the response may be kept, and writes it on. */
	private final class Keeping extends ServerHttpResponseDecorator {

		private final ServerHttpRequest request;

		private final String key;

		Keeping(ServerWebExchange exchange, String key) {
			super(exchange.getResponse());
			this.request = exchange.getRequest();
			this.key = key;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			EdgeCache.Entry template = keepable(System.nanoTime());
			if (template == null) {
				return super.writeWith(body);
			}
			int max = (int) EdgeCacheFilter.this.properties.maxEntrySize().toBytes();
			return DataBufferUtils.join(body, max).map((joined) -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				return bytes;
			}).defaultIfEmpty(new byte[0]).flatMap((bytes) -> {
				EdgeCacheFilter.this.cache.put(this.key,
						new EdgeCache.Entry(template.headers(), bytes, template.etag(), template.varied(),
								template.storedAt(), template.initialAgeSeconds(), template.lifetimeSeconds()));
				return super.writeWith(Mono.just(bufferFactory().wrap(bytes)));
			});
		}

		/** The entry this response would make, without its body; {@code null} if none. */
		private EdgeCache.Entry keepable(long now) {
			HttpStatusCode status = getStatusCode();
			HttpHeaders headers = getHeaders();
			if (status == null || status.value() != 200 || headers.containsHeader(HttpHeaders.SET_COOKIE)) {
				return null;
			}
			CacheControlDirectives allowed = CacheControlDirectives.parse(headers.getCacheControl());
			if (allowed.has("no-store") || allowed.has("private") || allowed.has("no-cache")) {
				return null;
			}
			long lifetime = allowed.has("s-maxage") ? allowed.seconds("s-maxage") : allowed.seconds("max-age");
			if (lifetime <= 0) {
				return null;
			}
			if (this.request.getHeaders().containsHeader(HttpHeaders.AUTHORIZATION) && !allowed.has("public")
					&& !allowed.has("s-maxage")) {
				return null;
			}
			long length = headers.getContentLength();
			if (length < 0 || length > EdgeCacheFilter.this.properties.maxEntrySize().toBytes()) {
				return null;
			}
			Map<String, List<String>> varied = new LinkedHashMap<>();
			for (String vary : headers.getVary()) {
				if (vary.equals("*")) {
					return null;
				}
				List<String> values = this.request.getHeaders().get(vary);
				varied.put(vary, (values != null) ? List.copyOf(values) : List.of());
			}
			HttpHeaders kept = new HttpHeaders();
			for (String name : KEPT_HEADERS) {
				List<String> values = headers.get(name);
				if (values != null) {
					kept.put(name, List.copyOf(values));
				}
			}
			return new EdgeCache.Entry(HttpHeaders.readOnlyHttpHeaders(kept), new byte[0], headers.getETag(), varied,
					now, Math.max(0, age(headers)), lifetime);
		}

		private static long age(HttpHeaders headers) {
			try {
				String age = headers.getFirst(HttpHeaders.AGE);
				return (age != null) ? Long.parseLong(age.trim()) : 0;
			}
			catch (NumberFormatException ex) {
				return 0;
			}
		}

	}

}
