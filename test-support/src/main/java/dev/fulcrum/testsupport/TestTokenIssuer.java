package dev.fulcrum.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import com.sun.net.httpserver.HttpServer;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.token.TokenJson;

/**
 * An issuer for tests of verifiers (gateway, api-service): an ES256 key pair whose JWK
 * Set is served over real HTTP on a free loopback port, and tokens signed with it, valid
 * or deliberately not. Close it to stop the server.
 */
public final class TestTokenIssuer implements AutoCloseable {

	/** The issuer and audience that Fulcrum's verifiers expect by default. */
	public static final String ISSUER = "fulcrum";

	public static final String AUDIENCE = "fulcrum-api";

	private final KeyPair keys = Jwts.SIG.ES256.keyPair().build();

	private final PublicJwk<?> jwk = Jwks.builder()
		.key(this.keys.getPublic())
		.algorithm("ES256")
		.publicKeyUse("sig")
		.idFromThumbprint()
		.build();

	private final HttpServer server;

	public TestTokenIssuer() {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		byte[] document = JsonMapper.builder()
			.build()
			.writeValueAsString(Map.of("keys", List.of(Map.copyOf(this.jwk))))
			.getBytes(StandardCharsets.UTF_8);
		this.server.createContext("/.well-known/jwks.json", (exchange) -> {
			exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
			exchange.sendResponseHeaders(200, document.length);
			try (OutputStream body = exchange.getResponseBody()) {
				body.write(document);
			}
		});
		this.server.start();
	}

	/**
	 * Where the JWK Set is served.
	 * @return the URL, for {@code fulcrum.token.jwks-uri}
	 */
	public String jwksUri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/.well-known/jwks.json";
	}

	/**
	 * The {@code kid} of the key.
	 * @return the key id
	 */
	public String keyId() {
		return this.jwk.getId();
	}

	/**
	 * The public key as a JWK.
	 * @return the JWK members
	 */
	public Map<String, ?> jwk() {
		return Map.copyOf(this.jwk);
	}

	/**
	 * A valid token for a user, in a new session.
	 * @param username the {@code preferred_username}
	 * @return the token
	 */
	public String token(String username) {
		return token(username, UUID.randomUUID().toString(), UnaryOperator.identity());
	}

	/**
	 * A token with changes, for tests of what verifiers refuse.
	 * @param username the {@code preferred_username}
	 * @param sessionId the {@code sid}
	 * @param changes changes to the otherwise valid token
	 * @return the token
	 */
	public String token(String username, String sessionId, UnaryOperator<JwtBuilder> changes) {
		Instant now = Instant.now();
		JwtBuilder builder = Jwts.builder()
			.json(TokenJson.serializer())
			.header()
			.keyId(keyId())
			.and()
			.issuer(ISSUER)
			.audience()
			.add(AUDIENCE)
			.and()
			.subject("user-" + username)
			.issuedAt(Date.from(now))
			.expiration(Date.from(now.plus(Duration.ofMinutes(15))))
			.id(UUID.randomUUID().toString())
			.claim("sid", sessionId)
			.claim("roles", List.of("USER"))
			.claim("preferred_username", username)
			.signWith(this.keys.getPrivate(), Jwts.SIG.ES256);
		return changes.apply(builder).compact();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
