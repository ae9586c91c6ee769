/**
 * Access-token verification, the one implementation that the gateway and every service
 * use: keys from the auth-service's JWKS ({@link dev.fulcrum.token.RemoteJwks}),
 * signature and claims ({@link dev.fulcrum.token.TokenVerifier}), revocation through
 * Redis ({@link dev.fulcrum.token.RevocationChecker}), and where a token comes from and
 * when it needs a CSRF token ({@link dev.fulcrum.token.BearerToken},
 * {@link dev.fulcrum.token.CsrfProtection}).
 */
package dev.fulcrum.token;
