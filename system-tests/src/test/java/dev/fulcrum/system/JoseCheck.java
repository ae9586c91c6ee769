package dev.fulcrum.system;

import java.util.List;

/**
 * Runs {@code src/test/js/verify-token.mjs}: a token checked by panva/jose, a JOSE
 * library that shares no code with Fulcrum's Java side (see {@link NodeTools} for what it
 * needs).
 */
final class JoseCheck {

	private JoseCheck() {
	}

	/**
	 * Verifies a token against a JWK Set.
	 * @param jwksUrl where the keys are published
	 * @param token the token
	 * @return the script's exit code and output
	 */
	static LocalStack.Result verify(String jwksUrl, String token) {
		return NodeTools.run(List.of("node", "verify-token.mjs", jwksUrl, token), 60);
	}

}
