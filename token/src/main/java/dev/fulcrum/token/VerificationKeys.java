package dev.fulcrum.token;

import java.util.Set;
import java.util.function.Consumer;

import reactor.core.publisher.Mono;

/**
 * Where a verifier finds public keys by {@code kid}. A {@code kid} is only ever looked up
 * here, never used to build a path, a URL or a query.
 */
public interface VerificationKeys {

	/**
	 * The key with this id if it is known now; never waits.
	 * @param keyId the {@code kid}
	 * @return the key, or {@code null}
	 */
	VerificationKey cached(String keyId);

	/**
	 * The key with this id, fetching the key set again (at a bounded rate) when the id is
	 * unknown.
	 * @param keyId the {@code kid}
	 * @return the key, or empty when it is still unknown; an error
	 * {@link TokenCheckUnavailableException} when the key set could not be fetched
	 */
	Mono<VerificationKey> find(String keyId);

	/**
	 * Registers a callback for key ids that leave the set (retired or withdrawn keys), so
	 * that caches of tokens they signed can be dropped.
	 * @param listener receives the removed key ids
	 */
	void onKeysRemoved(Consumer<Set<String>> listener);

}
