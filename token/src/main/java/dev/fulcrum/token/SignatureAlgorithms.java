package dev.fulcrum.token;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.Set;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import io.jsonwebtoken.security.SignatureAlgorithm;

/**
 * The JWS algorithms Fulcrum signs and verifies with, by their JOSE names: {@code ES256}
 * and {@code EdDSA} (on Ed25519). One place maps a name to jjwt's algorithm and makes key
 * pairs for it.
 */
public final class SignatureAlgorithms {

	private static final Map<String, SignatureAlgorithm> ALGORITHMS = Map.of("ES256", Jwts.SIG.ES256, "EdDSA",
			Jwts.SIG.EdDSA);

	private SignatureAlgorithms() {
	}

	/**
	 * The names known here.
	 * @return {@code ES256}, {@code EdDSA}
	 */
	public static Set<String> names() {
		return ALGORITHMS.keySet();
	}

	/**
	 * An algorithm by name.
	 * @param name the JOSE name
	 * @return the algorithm
	 * @throws IllegalArgumentException for any other name
	 */
	public static SignatureAlgorithm of(String name) {
		SignatureAlgorithm algorithm = ALGORITHMS.get(name);
		if (algorithm == null) {
			throw new IllegalArgumentException(name + " is not one of " + ALGORITHMS.keySet());
		}
		return algorithm;
	}

	/**
	 * A new key pair for an algorithm. EdDSA keys are Ed25519: jjwt's
	 * {@code Jwts.SIG.EdDSA.keyPair()} would make Ed448 ones.
	 * @param name the JOSE name
	 * @return the pair
	 */
	public static KeyPair newKeyPair(String name) {
		return "EdDSA".equals(name) ? Jwks.CRV.Ed25519.keyPair().build() : of(name).keyPair().build();
	}

	/**
	 * The algorithm to sign with, typed for a private key.
	 * @param name the JOSE name
	 * @return the algorithm
	 */
	public static SecureDigestAlgorithm<PrivateKey, PublicKey> forSigning(String name) {
		return of(name);
	}

}
