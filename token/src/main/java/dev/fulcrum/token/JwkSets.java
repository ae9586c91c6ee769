package dev.fulcrum.token;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;

/**
 * Reads a JWK Set into verification keys, keeping only what a verifier may use: public
 * keys with a {@code kid}, an accepted {@code alg}, and {@code use} absent or
 * {@code sig}. Anything else in the set (private parameters, other algorithms, key types
 * jjwt does not know) is skipped, not trusted.
 */
public final class JwkSets {

	private JwkSets() {
	}

	/**
	 * Parses a JWK Set document.
	 * @param json the document
	 * @param algorithms the accepted algorithms
	 * @return the usable keys by {@code kid}
	 * @throws IllegalArgumentException if the document is not a JWK Set
	 */
	public static Map<String, VerificationKey> parse(String json, Collection<String> algorithms) {
		JwkSet set;
		try {
			set = Jwks.setParser().json(TokenJson.deserializer()).ignoreUnsupported(true).build().parse(json);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("not a JWK Set: " + ex.getMessage(), ex);
		}
		Map<String, VerificationKey> keys = new LinkedHashMap<>();
		for (Jwk<?> jwk : set.getKeys()) {
			if (!(jwk instanceof PublicJwk<?> publicJwk)) {
				continue;
			}
			String id = jwk.getId();
			String algorithm = jwk.getAlgorithm();
			String use = publicJwk.getPublicKeyUse();
			if (id == null || algorithm == null || !algorithms.contains(algorithm)
					|| (use != null && !"sig".equals(use))) {
				continue;
			}
			keys.put(id, new VerificationKey(id, algorithm, publicJwk.toKey()));
		}
		return keys;
	}

}
