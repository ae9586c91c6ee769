package dev.fulcrum.gateway.auth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.sun.net.httpserver.HttpServer;

/**
 * A backend on loopback that answers every request 200 and says what it received, so a
 * test can tell that the gateway let a request through, and unchanged.
 */
final class TestUpstream {

	private final HttpServer server;

	TestUpstream() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.server.createContext("/", (exchange) -> {
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

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	void stop() {
		this.server.stop(0);
	}

}
