package dev.fulcrum.token;

/**
 * A token that must be refused: malformed, badly signed, expired, of the wrong issuer or
 * audience, signed by an unknown key, or revoked. The message is safe to show to the
 * client: it names the rule that failed, never key material or internals.
 */
public class InvalidTokenException extends RuntimeException {

	public InvalidTokenException(String message) {
		super(message, null, false, false);
	}

}
