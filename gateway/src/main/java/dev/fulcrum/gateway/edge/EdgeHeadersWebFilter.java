package dev.fulcrum.gateway.edge;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.gateway.problem.ProblemResponses;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The edge's hygiene, right after the request id: client-sent internal headers are
 * dropped, a request body over the cap is refused with a 413 (at once when its
 * {@code Content-Length} says so, else as soon as the stream passes the cap), and every
 * response gets security headers; {@code Strict-Transport-Security} too when the client
 * used https, to the gateway or to a trusted proxy in front of it.
 */
@Component
class EdgeHeadersWebFilter implements WebFilter, Ordered {

	private final long maxBody;

	/** Methods whose requests carry no body unless they say so with a header. */
	private static final Set<HttpMethod> BODILESS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
			HttpMethod.DELETE, HttpMethod.TRACE);

	/** Internal header names, compared without case. */
	private final Set<String> exact;

	private final List<String> prefixes;

	private final ClientAddresses clients;

	EdgeHeadersWebFilter(EdgeProperties properties, ClientAddresses clients) {
		this.clients = clients;
		this.maxBody = properties.maxRequestBody().toBytes();
		this.exact = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		properties.stripRequestHeaders().stream().filter((name) -> !name.endsWith("*")).forEach(this.exact::add);
		this.prefixes = properties.stripRequestHeaders()
			.stream()
			.filter((name) -> name.endsWith("*"))
			.map((name) -> name.substring(0, name.length() - 1))
			.toList();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders responseHeaders = exchange.getResponse().getHeaders();
		responseHeaders.set("X-Content-Type-Options", "nosniff");
		responseHeaders.set("X-Frame-Options", "DENY");
		responseHeaders.set("Referrer-Policy", "no-referrer");
		responseHeaders.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
		if (overHttps(exchange.getRequest())) {
			responseHeaders.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
		}
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		long length = headers.getContentLength();
		if (length > this.maxBody) {
			return tooLarge(exchange);
		}
		// Most requests need no change: no internal header, and either no body or one
		// whose Content-Length is within the cap (the server reads no further than it
		// says). Those go on as they are, without a copy of their headers.
		boolean strip = headers.headerNames().stream().anyMatch(this::isInternal);
		boolean unknownLength = length < 0
				&& (headers.containsHeader(HttpHeaders.TRANSFER_ENCODING) || !BODILESS.contains(request.getMethod()));
		if (!strip && !unknownLength) {
			return chain.filter(exchange);
		}
		ServerHttpRequest cleaned = strip ? request.mutate().headers(this::strip).build() : request;
		if (!unknownLength) {
			return chain.filter(exchange.mutate().request(cleaned).build());
		}
		return chain.filter(exchange.mutate().request(new CappedBody(cleaned, this.maxBody)).build())
			.onErrorResume(ResponseStatusException.class,
					(ex) -> ex.getStatusCode() == HttpStatus.CONTENT_TOO_LARGE && !exchange.getResponse().isCommitted()
							? tooLarge(exchange) : Mono.error(ex));
	}

	/**
	 * Whether the client used https: to the gateway itself, or, as a trusted proxy in
	 * front of it says in {@code X-Forwarded-Proto} (its first value, the client's hop),
	 * to that proxy. A client's own claim counts for nothing.
	 */
	private boolean overHttps(ServerHttpRequest request) {
		if ("https".equals(request.getURI().getScheme())) {
			return true;
		}
		String proto = request.getHeaders().getFirst("X-Forwarded-Proto");
		if (proto == null) {
			return false;
		}
		InetSocketAddress peer = request.getRemoteAddress();
		return peer != null && peer.getAddress() != null
				&& this.clients.isTrustedProxy(peer.getAddress().getHostAddress())
				&& "https".equalsIgnoreCase(proto.split(",")[0].trim());
	}

	private boolean isInternal(String name) {
		if (this.exact.contains(name)) {
			return true;
		}
		for (String prefix : this.prefixes) {
			if (name.regionMatches(true, 0, prefix, 0, prefix.length())) {
				return true;
			}
		}
		return false;
	}

	private void strip(HttpHeaders headers) {
		List<String> names = List.copyOf(headers.headerNames());
		for (String name : names) {
			if (isInternal(name)) {
				headers.remove(name);
			}
		}
	}

	private Mono<Void> tooLarge(ServerWebExchange exchange) {
		return ProblemResponses.send(exchange, HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
				"Request bodies may be at most " + this.maxBody + " bytes.");
	}

	@Override
	public int getOrder() {
		return FilterOrder.EDGE_HEADERS;
	}

	/** Fails the body's stream once it passes the cap (bodies sent without a length). */
	private static final class CappedBody extends ServerHttpRequestDecorator {

		private final long max;

		CappedBody(ServerHttpRequest delegate, long max) {
			super(delegate);
			this.max = max;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			long[] seen = { 0 };
			return super.getBody().handle((buffer, sink) -> {
				seen[0] += buffer.readableByteCount();
				if (seen[0] > this.max) {
					DataBufferUtils.release(buffer);
					sink.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE));
				}
				else {
					sink.next(buffer);
				}
			});
		}

	}

}
