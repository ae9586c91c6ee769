package dev.fulcrum.gateway.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import dev.fulcrum.gateway.http.HttpRules;
import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.common.RequestIds;
import dev.fulcrum.gateway.edge.ClientAddresses;
import dev.fulcrum.gateway.tracing.EdgeTracing;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends the request to the instance chosen by balancing and hands the answer's status and
 * headers to the exchange; Spring Cloud Gateway's write filter then streams the body to
 * the client, after the filters around this one (retries, the breaker, the edge cache)
 * have seen the status.
 * <p>
 * This does what Spring Cloud Gateway's {@code NettyRoutingFilter} and its chain of
 * header filters do, in one pass over the headers instead of a copy per filter, on the
 * gateway's own {@link HttpClient} (its pool, connect timeout and response timeout). To
 * the service it sends:
 * <ul>
 * <li>{@code X-Request-Id}, the request's id;</li>
 * <li>{@code traceparent} (and {@code tracestate}): the trace context of this attempt's
 * span ({@link EdgeTracing}), in place of the client's;</li>
 * <li>the client's headers, without the hop-by-hop ones ({@code Connection} and the
 * headers it names, {@code Keep-Alive}, {@code TE}, {@code Transfer-Encoding},
 * {@code Upgrade}, {@code Trailer}, {@code Proxy-*}), without {@code Host} (the
 * instance's own is sent) and without {@code Forwarded};</li>
 * <li>{@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code -Port}: from a
 * client, its claims are dropped and the gateway's view is sent; from a trusted proxy
 * ({@code GATEWAY_TRUSTED_PROXIES}), the gateway's view is appended to the proxy's, so
 * the service can still find the client's address in the chain.</li>
 * </ul>
 * Of the answer, the hop-by-hop headers are dropped; the rest reach the client. WebSocket
 * upgrades are left to Spring Cloud Gateway's own filter.
 */
@Component
class ProxyFilter implements GlobalFilter, Ordered {

	/** Headers that belong to one connection, never forwarded (RFC 9110, 7.6.1). */
	private static final Set<String> HOP_BY_HOP = caseInsensitive("Connection", "Keep-Alive", "Proxy-Connection", "TE",
			"Transfer-Encoding", "Upgrade", "Trailer", "Proxy-Authenticate", "Proxy-Authorization");

	private static final String X_FORWARDED = "X-Forwarded-";

	private final HttpClient client;

	private final ClientAddresses clients;

	private final EdgeTracing tracing;

	ProxyFilter(HttpClient client, ClientAddresses clients, EdgeTracing tracing) {
		this.client = client;
		this.clients = clients;
		this.tracing = tracing;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		ServerHttpRequest request = exchange.getRequest();
		if (url == null || ServerWebExchangeUtils.isAlreadyRouted(exchange)
				|| !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
				|| "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())) {
			return chain.filter(exchange);
		}
		ServerWebExchangeUtils.setAlreadyRouted(exchange);
		HttpClient.RequestSender sender = this.client.headers((headers) -> upstreamHeaders(exchange, headers))
			.request(io.netty.handler.codec.http.HttpMethod.valueOf(request.getMethod().name()))
			.uri(url);
		HttpClient.ResponseReceiver<?> receiver = HttpRules.hasBody(request.getHeaders())
				? sender.send((sent, outbound) -> outbound.send(request.getBody().map(ProxyFilter::byteBuf))) : sender;
		return receiver.responseConnection((answer, connection) -> {
			// The write filter streams the body from this connection once the filters
			// inside it are done; a retry disposes of it (ServerWebExchangeUtils.reset).
			exchange.getAttributes().put(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR, answer);
			exchange.getAttributes().put(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR, connection);
			ServerHttpResponse response = exchange.getResponse();
			response.setStatusCode(HttpStatusCode.valueOf(answer.status().code()));
			if (!response.isCommitted()) {
				exchange.getAttributes()
					.put(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES,
							copyAnswerHeaders(answer.responseHeaders(), response.getHeaders()));
			}
			return Mono.empty();
		}).then();
	}

	/** The client's headers as the service should see them. */
	private void upstreamHeaders(ServerWebExchange exchange, io.netty.handler.codec.http.HttpHeaders upstream) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		Set<String> named = connectionOptions(String.join(",", headers.getValuesAsList(HttpHeaders.CONNECTION)));
		InetSocketAddress peer = request.getRemoteAddress();
		String peerAddress = (peer != null && peer.getAddress() != null) ? peer.getAddress().getHostAddress() : null;
		boolean trusted = peerAddress != null && this.clients.isTrustedProxy(peerAddress);
		headers.forEach((name, values) -> {
			if (HOP_BY_HOP.contains(name) || HttpHeaders.HOST.equalsIgnoreCase(name)
					|| "Forwarded".equalsIgnoreCase(name) || RequestIds.HEADER.equalsIgnoreCase(name)
					|| (named != null && named.contains(name))) {
				return;
			}
			if (name.regionMatches(true, 0, X_FORWARDED, 0, X_FORWARDED.length())) {
				// Believed from a trusted proxy only, and then written below.
				return;
			}
			upstream.add(name, values);
		});
		if (headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			// Both would let the two hops disagree on where the body ends; the chunks
			// win.
			upstream.remove(HttpHeaders.CONTENT_LENGTH);
		}
		String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
		if (requestId != null) {
			upstream.set(RequestIds.HEADER, requestId);
		}
		// This attempt's span as the parent, in place of the client's traceparent.
		this.tracing.inject(exchange, upstream);
		URI uri = request.getURI();
		String scheme = uri.getScheme();
		int port = HttpRules.port(uri);
		String host = (port == HttpRules.defaultPort(scheme)) ? uri.getHost() : uri.getHost() + ":" + port;
		forwarded(upstream, headers, trusted, "X-Forwarded-For", peerAddress);
		forwarded(upstream, headers, trusted, "X-Forwarded-Proto", scheme);
		forwarded(upstream, headers, trusted, "X-Forwarded-Host", host);
		forwarded(upstream, headers, trusted, "X-Forwarded-Port", Integer.toString(port));
	}

	/** Writes one X-Forwarded header: the proxy's chain, if trusted, then this hop. */
	private static void forwarded(io.netty.handler.codec.http.HttpHeaders upstream, HttpHeaders headers,
			boolean trusted, String name, String value) {
		List<String> claimed = trusted ? headers.get(name) : null;
		if (claimed == null || claimed.isEmpty()) {
			if (value != null) {
				upstream.set(name, value);
			}
			return;
		}
		String chain = String.join(", ", claimed);
		upstream.set(name, (value != null) ? chain + ", " + value : chain);
	}

	/**
	 * Copies the answer's end-to-end headers; returns their names, for a retry to remove.
	 * A header the edge has already set (its security headers) keeps the edge's value:
	 * adding the service's too would send two, and browsers read {@code DENY, SAMEORIGIN}
	 * as neither.
	 */
	private static Set<String> copyAnswerHeaders(io.netty.handler.codec.http.HttpHeaders answer, HttpHeaders response) {
		Set<String> named = connectionOptions(String.join(",", answer.getAll(HttpHeaders.CONNECTION)));
		Set<String> copied = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		for (Map.Entry<String, String> header : answer) {
			String name = header.getKey();
			if (HOP_BY_HOP.contains(name) || (named != null && named.contains(name))
					|| (!copied.contains(name) && response.containsHeader(name))) {
				continue;
			}
			response.add(name, header.getValue());
			copied.add(name);
		}
		return copied;
	}

	/**
	 * The header names a {@code Connection} header lists, or null when there are none.
	 */
	private static Set<String> connectionOptions(String connection) {
		if (connection == null || connection.isEmpty()) {
			return null;
		}
		Set<String> named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		for (String option : connection.split(",")) {
			String name = option.trim();
			if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
				named.add(name);
			}
		}
		return named.isEmpty() ? null : named;
	}

	private static ByteBuf byteBuf(DataBuffer buffer) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.getNativeBuffer();
		}
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return Unpooled.wrappedBuffer(bytes);
	}

	private static Set<String> caseInsensitive(String... names) {
		Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		set.addAll(List.of(names));
		return Collections.unmodifiableSet(set);
	}

	@Override
	public int getOrder() {
		return FilterOrder.PROXY;
	}

}
