package dev.fulcrum.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.token.TokenJson;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.io.Deserializer;
import io.jsonwebtoken.io.Serializer;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.KeyPairBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of signing and verifying a Fulcrum-shaped access token with ES256 and with
 * EdDSA (Ed25519). Verification runs on every request at the gateway and the API, signing
 * only at login and refresh, so {@code verify} is the figure that chooses the algorithm.
 * {@code rawVerify} checks the same signature with {@link Signature} alone: the
 * difference to {@code verify} is what jjwt spends on Base64, JSON and claim checks.
 */
@State(Scope.Benchmark)
@BenchmarkMode({ Mode.Throughput, Mode.AverageTime })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SignatureAlgorithmBenchmark {

	private static final String ISSUER = "https://auth.fulcrum.local";

	private static final String AUDIENCE = "fulcrum-api";

	private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);

	@Param({ "ES256", "EdDSA" })
	public String algorithm;

	private final Serializer<Map<String, ?>> serializer = TokenJson.serializer();

	private KeyPair keyPair;

	private JwtParser parser;

	private String token;

	private String rawAlgorithm;

	private byte[] signingInput;

	private byte[] signature;

	@Setup
	public void setUp() throws GeneralSecurityException {
		// Not Jwts.SIG.EdDSA.keyPair(): jjwt makes Ed448 keys there; Ed25519 is measured.
		KeyPairBuilder keys = switch (this.algorithm) {
			case "ES256" -> Jwts.SIG.ES256.keyPair();
			case "EdDSA" -> Jwks.CRV.Ed25519.keyPair();
			default -> throw new IllegalArgumentException("Unknown algorithm " + this.algorithm);
		};
		this.keyPair = keys.build();
		// JWS ES256 signatures are R || S (IEEE P1363), not the DER of SHA256withECDSA.
		this.rawAlgorithm = "ES256".equals(this.algorithm) ? "SHA256withECDSAinP1363Format" : "Ed25519";
		Deserializer<Map<String, ?>> deserializer = TokenJson.deserializer();
		this.parser = Jwts.parser()
			.json(deserializer)
			.verifyWith(this.keyPair.getPublic())
			.requireIssuer(ISSUER)
			.requireAudience(AUDIENCE)
			.build();
		this.token = sign();
		int lastDot = this.token.lastIndexOf('.');
		this.signingInput = this.token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
		this.signature = Base64.getUrlDecoder().decode(this.token.substring(lastDot + 1));
		if (!rawVerify()) {
			throw new IllegalStateException("rawVerify rejects the token that jjwt signed");
		}
	}

	@Benchmark
	public String sign() {
		Instant now = Instant.now();
		return Jwts.builder()
			.json(this.serializer)
			.header()
			.keyId("fulcrum-" + this.algorithm)
			.and()
			.issuer(ISSUER)
			.audience()
			.add(AUDIENCE)
			.and()
			.subject("4f1c2b7e-9a3d-4e8b-b6a0-2c5d8e1f7a90")
			.issuedAt(Date.from(now))
			.expiration(Date.from(now.plus(TOKEN_LIFETIME)))
			.id(UUID.randomUUID().toString())
			.claim("sid", "8d0b6f3c-1e2a-4c5d-9f7e-3a4b5c6d7e8f")
			.claim("roles", List.of("USER"))
			.claim("preferred_username", "alice")
			.signWith(this.keyPair.getPrivate())
			.compact();
	}

	@Benchmark
	public Claims verify() {
		return this.parser.parseSignedClaims(this.token).getPayload();
	}

	@Benchmark
	public boolean rawVerify() throws GeneralSecurityException {
		// A new Signature per call, as jjwt does: an instance is not thread-safe.
		Signature verifier = Signature.getInstance(this.rawAlgorithm);
		verifier.initVerify(this.keyPair.getPublic());
		verifier.update(this.signingInput);
		return verifier.verify(this.signature);
	}

}
