package dev.fulcrum.token;

import java.security.PublicKey;

/**
 * A public key that may verify access tokens.
 *
 * @param id the {@code kid}
 * @param algorithm the one JWS algorithm this key is used with
 * @param key the key
 */
public record VerificationKey(String id, String algorithm, PublicKey key) {
}
