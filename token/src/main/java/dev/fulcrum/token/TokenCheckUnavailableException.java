package dev.fulcrum.token;

/**
 * The token could not be checked because a dependency (Redis for revocation, the JWKS
 * endpoint) did not answer. Verifiers fail closed: the request is answered 503, not let
 * through.
 */
public class TokenCheckUnavailableException extends RuntimeException {

	public TokenCheckUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
