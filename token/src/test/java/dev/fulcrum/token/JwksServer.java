package dev.fulcrum.token;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;

/**
 * A JWK Set over real HTTP whose keys can change during a test, counting the fetches.
 */
final class JwksServer implements AutoCloseable {

	final AtomicInteger fetches = new AtomicInteger();

	private final List<Map<String, ?>> published = new CopyOnWriteArrayList<>();

	private final HttpServer server;

	JwksServer() {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.createContext("/jwks", (exchange) -> {
			this.fetches.incrementAndGet();
			byte[] body = TokenJson.mapper()
				.writeValueAsString(Map.of("keys", new ArrayList<>(this.published)))
				.getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	TokenProperties properties(Duration minRefreshInterval) {
		TokenProperties defaults = TokenProperties.defaults();
		return new TokenProperties(defaults.issuer(), defaults.audience(), defaults.algorithms(),
				URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + "/jwks"), defaults.clockSkew(),
				defaults.maxTokenLength(), defaults.jwksRefreshInterval(), minRefreshInterval, defaults.jwksTimeout(),
				defaults.cacheSize());
	}

	/** Publishes a new ES256 key and returns a signer for it. */
	Signer publish() {
		KeyPair pair = Jwts.SIG.ES256.keyPair().build();
		PublicJwk<?> jwk = Jwks.builder()
			.key(pair.getPublic())
			.algorithm("ES256")
			.publicKeyUse("sig")
			.idFromThumbprint()
			.build();
		this.published.add(Map.copyOf(jwk));
		return new Signer(jwk.getId(), pair);
	}

	void withdrawAll() {
		this.published.clear();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	record Signer(String keyId, KeyPair pair) {

		String token(Instant issuedAt, Duration life) {
			return Jwts.builder()
				.json(TokenJson.serializer())
				.header()
				.keyId(this.keyId)
				.and()
				.issuer("fulcrum")
				.audience()
				.add("fulcrum-api")
				.and()
				.subject("user-1")
				.issuedAt(Date.from(issuedAt))
				.expiration(Date.from(issuedAt.plus(life)))
				.id(UUID.randomUUID().toString())
				.claim("sid", "session-1")
				.claim("roles", List.of("USER"))
				.claim("preferred_username", "alice")
				.signWith(this.pair.getPrivate(), Jwts.SIG.ES256)
				.compact();
		}

	}

}
