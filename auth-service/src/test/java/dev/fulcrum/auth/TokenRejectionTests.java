package dev.fulcrum.auth;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestTokenIssuer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a token can be wrong, each refused by {@code GET /auth/me} with 401,
 * {@code WWW-Authenticate: Bearer error="invalid_token"} and the rule that failed. The
 * tokens are signed by a key that is in the JWK Set (published in Redis as an auth
 * replica would), so that only the one defect under test is wrong.
 */
@AuthServiceTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenRejectionTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	StringRedisTemplate redis;

	final TestTokenIssuer trusted = new TestTokenIssuer();

	final TestTokenIssuer stranger = new TestTokenIssuer();

	@BeforeAll
	void publishTheTrustedKey() {
		String entry = JSON.writeValueAsString(Map.of("jwk", this.trusted.jwk(), "notAfter",
				Instant.now().plus(Duration.ofHours(1)).getEpochSecond()));
		this.redis.opsForHash().put("fulcrum:auth:jwks", this.trusted.keyId(), entry);
	}

	@AfterAll
	void withdrawTheTrustedKey() {
		this.redis.opsForHash().delete("fulcrum:auth:jwks", this.trusted.keyId());
		this.trusted.close();
		this.stranger.close();
	}

	@Test
	void acceptsTheTrustedKeysValidToken() {
		HttpResponse<String> response = me(this.trusted.token("alice"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("defects")
	void refusesTokens(String defect, Function<TokenRejectionTests, String> token, String rule) {
		HttpResponse<String> response = me(token.apply(this));
		AuthFlowTests.assertProblem(response, 401, "invalid-token");
		assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
			.startsWith("Bearer error=\"invalid_token\"")
			.contains(rule);
	}

	static Stream<Arguments> defects() {
		Instant now = Instant.now();
		return Stream.of(
				defect("expired",
						(t) -> t.trusted.token("a", sid(),
								(jwt) -> jwt.issuedAt(Date.from(now.minus(Duration.ofMinutes(30))))
									.expiration(Date.from(now.minus(Duration.ofMinutes(5))))),
						"token has expired"),
				defect("not yet valid",
						(t) -> t.trusted.token("a", sid(),
								(jwt) -> jwt.notBefore(Date.from(now.plus(Duration.ofMinutes(5))))),
						"not valid yet"),
				defect("issued in the future",
						(t) -> t.trusted.token("a", sid(),
								(jwt) -> jwt.issuedAt(Date.from(now.plus(Duration.ofMinutes(5))))),
						"not valid yet"),
				defect("wrong issuer", (t) -> t.trusted.token("a", sid(), (jwt) -> jwt.issuer("someone-else")),
						"wrong iss"),
				defect("wrong audience",
						(t) -> t.trusted.token("a", sid(), (jwt) -> jwt.audience().single("another-api")), "wrong aud"),
				defect("tampered payload", (t) -> tamper(t.trusted.token("alice")), "signature is invalid"),
				defect("alg none", (t) -> unsigned(t.trusted.keyId()), "algorithm is not accepted"),
				defect("HS256 with the public key as secret", (t) -> hmacWithPublicKey(t.trusted),
						"algorithm is not accepted"),
				defect("EdDSA when only ES256 is accepted", (t) -> {
					KeyPair ed25519 = Jwks.CRV.Ed25519.keyPair().build();
					return t.trusted.token("a", sid(), (jwt) -> jwt.signWith(ed25519.getPrivate(), Jwts.SIG.EdDSA));
				}, "algorithm is not accepted"), defect("unknown kid", (t) -> t.stranger.token("a"), "unknown key"),
				defect("kid with path characters",
						(t) -> t.trusted.token("a", sid(), (jwt) -> jwt.header().keyId("../../etc/passwd").and()),
						"no valid key id"),
				defect("missing sid", (t) -> t.trusted.token("a", sid(), (jwt) -> jwt.claim("sid", null)),
						"lacks a required claim"),
				defect("oversized", (t) -> t.trusted.token("a", sid(), (jwt) -> jwt.claim("pad", "x".repeat(9000))),
						"longer than 8192"),
				defect("not a JWT", (t) -> "not.a.jwt", "malformed"), defect("a header that is JSON null",
						(t) -> base64("null".getBytes(StandardCharsets.UTF_8)) + ".e30.AAAA", "malformed"));
	}

	private HttpResponse<String> me(String token) {
		return TestHttp.get("http://127.0.0.1:" + this.port + "/auth/me", "Authorization", "Bearer " + token);
	}

	private static Arguments defect(String name, Function<TokenRejectionTests, String> token, String rule) {
		return Arguments.of(name, token, rule);
	}

	private static String sid() {
		return UUID.randomUUID().toString();
	}

	/** Changes the user in the payload and keeps the signature. */
	private static String tamper(String token) {
		String[] parts = token.split("\\.");
		String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
			.replace("\"alice\"", "\"admin\"");
		return parts[0] + "." + base64(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
	}

	private static String unsigned(String keyId) {
		return base64(("{\"alg\":\"none\",\"kid\":\"" + keyId + "\"}").getBytes(StandardCharsets.UTF_8)) + "."
				+ base64(claims().getBytes(StandardCharsets.UTF_8)) + ".";
	}

	/**
	 * The classic key-confusion attack: HMAC keyed with the (public) verification key.
	 */
	private static String hmacWithPublicKey(TestTokenIssuer issuer) {
		try {
			String input = base64(
					("{\"alg\":\"HS256\",\"kid\":\"" + issuer.keyId() + "\"}").getBytes(StandardCharsets.UTF_8)) + "."
					+ base64(claims().getBytes(StandardCharsets.UTF_8));
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(JSON.writeValueAsBytes(issuer.jwk()), "HmacSHA256"));
			return input + "." + base64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String claims() {
		long now = Instant.now().getEpochSecond();
		return "{\"iss\":\"fulcrum\",\"aud\":\"fulcrum-api\",\"sub\":\"x\",\"iat\":" + now + ",\"exp\":" + (now + 600)
				+ ",\"jti\":\"" + UUID.randomUUID() + "\",\"sid\":\"" + sid()
				+ "\",\"roles\":[\"ADMIN\"],\"preferred_username\":\"admin\"}";
	}

	private static String base64(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
