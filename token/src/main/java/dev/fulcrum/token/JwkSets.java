package dev.fulcrum.token;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;

/**
 * Reads a JWK Set into verification keys, keeping only what a verifier may use: public
 * keys with a {@code kid}, an accepted {@code alg}, and {@code use} absent or
 * {@code sig}. Anything else in the set (private parameters, other algorithms, malformed
 * keys, key types jjwt does not know) is skipped, not trusted; each key is judged alone.
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
		Object keys;
		try {
			keys = TokenJson.mapper().readValue(json, Map.class).get("keys");
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("not a JWK Set: " + ex.getMessage(), ex);
		}
		if (!(keys instanceof List<?> members)) {
			throw new IllegalArgumentException("not a JWK Set: no 'keys' array");
		}
		// An empty set is a valid answer (every key withdrawn), not a failure.
		Map<String, VerificationKey> usable = new LinkedHashMap<>();
		for (Object member : members) {
			if (member instanceof Map<?, ?> jwk) {
				VerificationKey key = usable(jwk, algorithms);
				if (key != null) {
					usable.put(key.id(), key);
				}
			}
		}
		return usable;
	}

	/** One key of the set, or {@code null} if a verifier must not use it. */
	private static VerificationKey usable(Map<?, ?> member, Collection<String> algorithms) {
		if (!(member.get("kid") instanceof String id) || !(member.get("alg") instanceof String algorithm)
				|| !algorithms.contains(algorithm)) {
			return null;
		}
		Object use = member.get("use");
		if ((use != null && !"sig".equals(use)) || member.containsKey("d")) {
			return null;
		}
		try {
			Jwk<?> jwk = Jwks.parser()
				.json(TokenJson.deserializer())
				.build()
				.parse(TokenJson.mapper().writeValueAsString(member));
			return (jwk instanceof PublicJwk<?> publicJwk) ? new VerificationKey(id, algorithm, publicJwk.toKey())
					: null;
		}
		catch (RuntimeException ex) {
			// A malformed or unsupported key is skipped; the others still count.
			return null;
		}
	}

}
