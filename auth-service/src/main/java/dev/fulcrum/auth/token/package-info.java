/**
 * Signing: each auth instance's own key pair, published in the shared JWK Set in Redis;
 * access-token issue; the {@code /.well-known/jwks.json} endpoint. See
 * {@link dev.fulcrum.auth.token.SigningKeys} for how replicas and key rotation work.
 */
package dev.fulcrum.auth.token;
