package dev.fulcrum.token;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

/**
 * The auth-service's JWK Set, fetched over HTTP and kept in memory.
 * <ul>
 * <li>Known keys are served from memory; after {@code jwksRefreshInterval} the set is
 * fetched again in the background while the old one keeps serving.</li>
 * <li>An unknown {@code kid} (a key that an auth replica has just started signing with)
 * triggers a fetch at once, but at most once per {@code jwksMinRefreshInterval}, and
 * concurrent requests share one fetch: made-up key ids cannot turn a verifier into a
 * flood against the auth-service.</li>
 * <li>A failed fetch keeps the keys already known. A token with an unknown key while the
 * set cannot be fetched is answered "unavailable", not "invalid".</li>
 * </ul>
 * Nothing here blocks: fetches use the JDK HTTP client asynchronously, so the gateway can
 * call this from its event loop.
 */
public final class RemoteJwks implements VerificationKeys {

	private static final Log logger = LogFactory.getLog(RemoteJwks.class);

	/** A key set is a few hundred bytes per key; anything much larger is not one. */
	private static final int MAX_DOCUMENT_BYTES = 64 * 1024;

	private final TokenProperties properties;

	private final HttpClient client;

	private final Clock clock;

	private final List<Consumer<Set<String>>> removalListeners = new CopyOnWriteArrayList<>();

	private volatile Map<String, VerificationKey> keys = Map.of();

	private volatile Instant fetchedAt = Instant.EPOCH;

	private volatile boolean lastFetchFailed;

	private Instant attemptedAt = Instant.EPOCH;

	private CompletableFuture<Map<String, VerificationKey>> inFlight;

	public RemoteJwks(TokenProperties properties, Clock clock) {
		this.properties = properties;
		this.clock = clock;
		this.client = HttpClient.newBuilder()
			.connectTimeout(properties.jwksTimeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	@Override
	public void onKeysRemoved(Consumer<Set<String>> listener) {
		this.removalListeners.add(listener);
	}

	@Override
	public VerificationKey cached(String keyId) {
		if (Duration.between(this.fetchedAt, this.clock.instant())
			.compareTo(this.properties.jwksRefreshInterval()) > 0) {
			refresh();
		}
		return this.keys.get(keyId);
	}

	@Override
	public Mono<VerificationKey> find(String keyId) {
		VerificationKey key = cached(keyId);
		if (key != null) {
			return Mono.just(key);
		}
		return Mono.fromFuture(() -> refresh()).flatMap((found) -> {
			VerificationKey fresh = found.get(keyId);
			if (fresh == null && this.lastFetchFailed) {
				return Mono.error(new TokenCheckUnavailableException("the key set could not be fetched", null));
			}
			return Mono.justOrEmpty(fresh);
		});
	}

	/**
	 * Fetches the set, or joins the fetch that is running. Fetches start at least
	 * {@code jwksMinRefreshInterval} apart: one asked for sooner is scheduled for the
	 * earliest allowed moment and waited for, rather than refused, so that a token signed
	 * with a key published a moment ago is never turned away as "unknown key".
	 */
	private synchronized CompletableFuture<Map<String, VerificationKey>> refresh() {
		if (this.inFlight != null) {
			return this.inFlight;
		}
		Instant now = this.clock.instant();
		Instant earliest = this.attemptedAt.plus(this.properties.jwksMinRefreshInterval());
		long waitMillis = Math.max(0, Duration.between(now, earliest).toMillis());
		this.attemptedAt = (waitMillis > 0) ? earliest : now;
		CompletableFuture<Map<String, VerificationKey>> started = (waitMillis > 0) ? CompletableFuture.runAsync(() -> {
		}, CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS)).thenCompose((ignored) -> fetch())
				: fetch();
		CompletableFuture<Map<String, VerificationKey>> fetch = started.handle((fetched, failure) -> {
			synchronized (this) {
				this.inFlight = null;
			}
			if (failure != null) {
				this.lastFetchFailed = true;
				logger.warn("Could not fetch the JWK Set from " + this.properties.jwksUri() + ": " + failure);
				return this.keys;
			}
			this.lastFetchFailed = false;
			replace(fetched);
			return fetched;
		});
		if (!fetch.isDone()) {
			this.inFlight = fetch;
		}
		return fetch;
	}

	private CompletableFuture<Map<String, VerificationKey>> fetch() {
		URI uri = this.properties.jwksUri();
		HttpRequest request = HttpRequest.newBuilder(uri)
			.timeout(this.properties.jwksTimeout())
			.header("Accept", "application/jwk-set+json, application/json")
			.GET()
			.build();
		return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply((response) -> {
			if (response.statusCode() != 200) {
				throw new IllegalStateException("status " + response.statusCode());
			}
			byte[] body = response.body();
			if (body.length > MAX_DOCUMENT_BYTES) {
				throw new IllegalStateException("document of " + body.length + " bytes is too large");
			}
			return JwkSets.parse(new String(body, StandardCharsets.UTF_8), this.properties.algorithms());
		});
	}

	private void replace(Map<String, VerificationKey> fetched) {
		Set<String> removed = new HashSet<>(this.keys.keySet());
		removed.removeAll(fetched.keySet());
		this.keys = Map.copyOf(fetched);
		this.fetchedAt = this.clock.instant();
		if (!removed.isEmpty()) {
			logger.info("Keys " + removed + " left the JWK Set; tokens they signed are no longer accepted");
			this.removalListeners.forEach((listener) -> listener.accept(removed));
		}
	}

	/**
	 * Fetches the set once, now, for tests.
	 * @throws IOException if the set cannot be fetched
	 */
	public void refreshNow() throws IOException {
		try {
			replace(fetch().join());
			this.lastFetchFailed = false;
		}
		catch (RuntimeException ex) {
			throw new IOException("could not fetch " + this.properties.jwksUri(), ex);
		}
	}

}
