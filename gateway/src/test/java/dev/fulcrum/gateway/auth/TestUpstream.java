package dev.fulcrum.gateway.auth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.testsupport.TestTokenIssuer;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A backend on loopback that answers every request 200 and says what it received, so a
 * test can tell that the gateway let a request through, and unchanged.
 * {@code /api/catalog} may be kept by a shared cache.
 */
final class TestUpstream {

	private final HttpServer server;

	private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

	TestUpstream() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.server.createContext("/", (exchange) -> {
			this.received.computeIfAbsent(exchange.getRequestURI().getPath(), (path) -> new AtomicInteger())
				.incrementAndGet();
			if (exchange.getRequestURI().getPath().equals("/api/catalog")) {
				exchange.getResponseHeaders().set("Cache-Control", "public, max-age=60");
			}
			byte[] body = "{\"upstream\":true}".getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.getResponseHeaders()
				.set("X-Upstream-Saw-Authorization",
						String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
			exchange.getResponseHeaders()
				.set("X-Upstream-Saw-Cookie", String.valueOf(exchange.getRequestHeaders().getFirst("Cookie")));
			exchange.getResponseHeaders()
				.set("X-Upstream-Saw-Forwarded-For",
						String.join(",", exchange.getRequestHeaders().getOrDefault("X-Forwarded-For", List.of())));
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		this.server.start();
	}

	/** How many requests for a path it has answered. */
	int received(String path) {
		AtomicInteger count = this.received.get(path);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * Routes both of the gateway's services to this upstream, and takes the JWK Set from
	 * the issuer.
	 */
	void routeTo(DynamicPropertyRegistry registry, TestTokenIssuer issuer) {
		registry.add("fulcrum.gateway.upstreams.api-service", this::url);
		registry.add("fulcrum.gateway.upstreams.auth-service", this::url);
		registry.add("fulcrum.token.jwks-uri", issuer::jwksUri);
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	void stop() {
		this.server.stop(0);
	}

}
