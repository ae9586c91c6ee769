package dev.fulcrum.token;

import reactor.core.publisher.Mono;

/**
 * Everything a protected endpoint checks about a token: {@link TokenVerifier} (signature
 * and claims, cached) then {@link RevocationChecker} (one Redis round trip at most).
 */
public final class TokenAuthenticator {

	private final TokenVerifier verifier;

	private final RevocationChecker revocations;

	public TokenAuthenticator(TokenVerifier verifier, RevocationChecker revocations) {
		this.verifier = verifier;
		this.revocations = revocations;
	}

	/**
	 * Authenticates a request's token.
	 * @param token the compact JWS
	 * @return the token, or an error {@link InvalidTokenException} (401) or
	 * {@link TokenCheckUnavailableException} (503)
	 */
	public Mono<AccessToken> authenticate(String token) {
		return this.verifier.verify(token).flatMap(this.revocations::check);
	}

	/**
	 * Checks a token's signature and claims, but not yet its revocation: for a caller
	 * that looks the revocation up later with {@link #revocations()}, together with work
	 * of its own.
	 * @param token the compact JWS
	 * @return the token, or an error {@link InvalidTokenException} (401) or
	 * {@link TokenCheckUnavailableException} (503, the JWK Set cannot be read)
	 */
	public Mono<AccessToken> verify(String token) {
		return this.verifier.verify(token);
	}

	/**
	 * The revocation list this authenticator checks.
	 * @return the checker
	 */
	public RevocationChecker revocations() {
		return this.revocations;
	}

}
