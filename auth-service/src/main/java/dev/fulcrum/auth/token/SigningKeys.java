package dev.fulcrum.auth.token;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.token.JwkSets;
import dev.fulcrum.token.SignatureAlgorithms;
import dev.fulcrum.token.TokenCheckUnavailableException;
import dev.fulcrum.token.TokenProperties;
import dev.fulcrum.token.VerificationKey;
import dev.fulcrum.token.VerificationKeys;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The signing keys of this instance, and the JWK Set that all instances share.
 * <p>
 * Every auth instance makes its own key pair at start-up; the private key never leaves
 * the process. The public key goes into one Redis hash, {@code fulcrum:auth:jwks}, as
 * {@code kid -> {"jwk": {...}, "notAfter": <epoch s>}}, and every instance serves the
 * whole hash as {@code /.well-known/jwks.json}. So a token from any replica verifies
 * everywhere, and a restart or a new replica needs no shared secret.
 * <ul>
 * <li>A key is published before the first token is signed with it; verifiers that meet an
 * unknown {@code kid} fetch the set again (see {@code RemoteJwks}).</li>
 * <li>Every {@code keyHeartbeat}, an instance pushes {@code notAfter} of its keys to now
 * + access-token lifetime + 2 heartbeats, and drops entries past their
 * {@code notAfter}.</li>
 * <li>A token is signed only while its key is published for longer than the token can
 * live: when renewals fail (Redis full, or down), signing stops with a 503 before any
 * token could outlive its key's entry. So the live signing key never drops out of the set
 * under a token that is still valid, and signing resumes by itself once a renewal
 * succeeds.</li>
 * <li>After {@code keyRotation}, a new key replaces the current one for signing. The old
 * key is no longer renewed, so it stays published exactly as long as tokens it signed can
 * live: rotation never invalidates a live token. The same holds when an instance stops or
 * dies.</li>
 * </ul>
 */
@Component
public class SigningKeys implements VerificationKeys, SmartLifecycle {

	static final String JWKS_KEY = "fulcrum:auth:jwks";

	private static final Log logger = LogFactory.getLog(SigningKeys.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final StringRedisTemplate redis;

	private final AuthProperties properties;

	private final TokenProperties tokenProperties;

	private final Clock clock;

	private final ScheduledExecutorService scheduler = Executors
		.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("jwks-heartbeat").factory());

	/** Guards rotation and the heartbeat. */
	private final ReentrantLock keyLock = new ReentrantLock();

	private final Object reloadLock = new Object();

	private final ExecutorService reloader = Executors.newVirtualThreadPerTaskExecutor();

	private final List<Consumer<Set<String>>> removalListeners = new CopyOnWriteArrayList<>();

	private CompletableFuture<Void> reloading;

	private Instant reloadStartedAt = Instant.EPOCH;

	private volatile Signer current;

	/** Until when the current key is published ({@code notAfter}, epoch seconds). */
	private volatile long currentPublishedUntil;

	private volatile Map<String, VerificationKey> published = Map.of();

	private volatile boolean running;

	SigningKeys(StringRedisTemplate redis, AuthProperties properties, TokenProperties tokenProperties, Clock clock) {
		this.redis = redis;
		this.properties = properties;
		this.tokenProperties = tokenProperties;
		this.clock = clock;
		if (!tokenProperties.algorithms().contains(properties.signingAlgorithm())) {
			throw new IllegalStateException("fulcrum.auth.signing-algorithm " + properties.signingAlgorithm()
					+ " is not in fulcrum.token.algorithms " + tokenProperties.algorithms());
		}
	}

	/**
	 * The key to sign with now.
	 * @return the current signer
	 * @throws ProblemException 503 while no key could be published (Redis down since
	 * start-up)
	 */
	public Signer signer() {
		Signer signer = this.current;
		if (!coversANewToken(signer) && this.keyLock.tryLock()) {
			// Redis was away at start-up, or renewals have failed: try now rather than
			// wait for the next heartbeat, but never queue logins behind one another's
			// attempts.
			try {
				heartbeat();
			}
			finally {
				this.keyLock.unlock();
			}
			signer = this.current;
		}
		if (!coversANewToken(signer)) {
			throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable",
					"The signing key could not be published for as long as a new token would live; retry shortly.")
				.withHeader(HttpHeaders.RETRY_AFTER, "1");
		}
		return signer;
	}

	/** Whether the key is published for longer than a token signed now can live. */
	private boolean coversANewToken(Signer signer) {
		long tokenEnd = this.clock.instant()
			.plus(this.properties.accessTokenTtl())
			.plus(this.tokenProperties.clockSkew())
			.getEpochSecond();
		return signer != null && this.currentPublishedUntil >= tokenEnd;
	}

	/**
	 * Starts signing with a new key, keeping the old ones published until tokens they
	 * signed have expired.
	 */
	public void rotate() {
		this.keyLock.lock();
		try {
			Signer signer = Signer.create(this.properties.signingAlgorithm(), this.clock.instant());
			long until = publish(signer);
			this.currentPublishedUntil = until;
			this.current = signer;
			logger.info("Signing with key " + signer.keyId() + " (" + signer.algorithm() + ")");
		}
		finally {
			this.keyLock.unlock();
		}
	}

	/**
	 * The JWK Set document: every published, unexpired public key.
	 * @return the document
	 */
	public Map<String, Object> jwkSet() {
		List<Object> keys = new ArrayList<>();
		long now = this.clock.instant().getEpochSecond();
		for (Object value : this.redis.opsForHash().values(JWKS_KEY)) {
			Map<?, ?> entry = JSON.readValue((String) value, Map.class);
			if (((Number) entry.get("notAfter")).longValue() > now) {
				keys.add(entry.get("jwk"));
			}
		}
		return Map.of("keys", keys);
	}

	@Override
	public VerificationKey cached(String keyId) {
		Signer signer = this.current;
		if (signer != null && signer.keyId().equals(keyId)) {
			return signer.verification();
		}
		return this.published.get(keyId);
	}

	@Override
	public Mono<VerificationKey> find(String keyId) {
		VerificationKey key = cached(keyId);
		if (key != null) {
			return Mono.just(key);
		}
		return Mono.fromFuture(this::reloadSoon)
			.then(Mono.fromSupplier(() -> cached(keyId)))
			.onErrorMap((ex) -> !(ex instanceof TokenCheckUnavailableException),
					(ex) -> new TokenCheckUnavailableException("the key set cannot be read", ex));
	}

	@Override
	public void onKeysRemoved(Consumer<Set<String>> listener) {
		this.removalListeners.add(listener);
	}

	@Override
	public void start() {
		this.running = true;
		try {
			rotate();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not publish a signing key yet; retrying every heartbeat: " + ex.getMessage());
		}
		long period = this.properties.keyHeartbeat().toMillis();
		this.scheduler.scheduleWithFixedDelay(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		this.running = false;
		this.scheduler.shutdownNow();
		this.reloader.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Renews this instance's current key, rotates it when due, and prunes the set. */
	void heartbeat() {
		this.keyLock.lock();
		try {
			Signer signer = this.current;
			if (signer == null
					|| signer.createdAt().plus(this.properties.keyRotation()).isBefore(this.clock.instant())) {
				rotate();
			}
			else {
				this.currentPublishedUntil = publish(signer);
			}
			prune();
			reload();
		}
		catch (RuntimeException ex) {
			logger.warn("JWK Set heartbeat failed: " + ex.getMessage());
		}
		finally {
			this.keyLock.unlock();
		}
	}

	/** Publishes or renews a key; returns its new {@code notAfter}, once written. */
	private long publish(Signer signer) {
		Duration live = this.properties.accessTokenTtl()
			.plus(this.tokenProperties.clockSkew())
			.plus(this.properties.keyHeartbeat().multipliedBy(2));
		long notAfter = this.clock.instant().plus(live).getEpochSecond();
		String entry = JSON.writeValueAsString(Map.of("jwk", signer.jwk(), "notAfter", notAfter));
		this.redis.opsForHash().put(JWKS_KEY, signer.keyId(), entry);
		return notAfter;
	}

	private void prune() {
		long now = this.clock.instant().getEpochSecond();
		Map<Object, Object> entries = this.redis.opsForHash().entries(JWKS_KEY);
		entries.forEach((keyId, value) -> {
			Map<?, ?> entry = JSON.readValue((String) value, Map.class);
			if (((Number) entry.get("notAfter")).longValue() <= now) {
				this.redis.opsForHash().delete(JWKS_KEY, keyId);
			}
		});
	}

	/**
	 * Reloads the set for an unknown key id. Lookups share one reload; reloads start at
	 * least a second apart, and a lookup that comes sooner waits for the next one instead
	 * of failing, so that a key another replica published a moment ago is always found.
	 * Nobody sleeps holding a lock, and made-up key ids cost at most one read a second.
	 */
	private CompletableFuture<Void> reloadSoon() {
		synchronized (this.reloadLock) {
			if (this.reloading != null) {
				return this.reloading;
			}
			Instant now = this.clock.instant();
			Instant earliest = this.reloadStartedAt.plusSeconds(1);
			long waitMillis = Math.max(0, Duration.between(now, earliest).toMillis());
			this.reloadStartedAt = (waitMillis > 0) ? earliest : now;
			Executor executor = (waitMillis > 0)
					? CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS, this.reloader)
					: this.reloader;
			CompletableFuture<Void> reload = CompletableFuture.runAsync(this::reload, executor);
			this.reloading = reload;
			reload.whenComplete((done, failure) -> {
				synchronized (this.reloadLock) {
					if (this.reloading == reload) {
						this.reloading = null;
					}
				}
			});
			return reload;
		}
	}

	private void reload() {
		String document = JSON.writeValueAsString(jwkSet());
		Map<String, VerificationKey> keys = Map.copyOf(JwkSets.parse(document, this.tokenProperties.algorithms()));
		Set<String> removed = new HashSet<>(this.published.keySet());
		removed.removeAll(keys.keySet());
		this.published = keys;
		if (!removed.isEmpty()) {
			this.removalListeners.forEach((listener) -> listener.accept(removed));
		}
	}

	/**
	 * A key pair of this instance.
	 *
	 * @param keyId the {@code kid}: the key's RFC 7638 thumbprint
	 * @param algorithm the JWS algorithm
	 * @param privateKey the private key, which never leaves this process
	 * @param jwk the public JWK, as published
	 * @param verification the public key, for verifying locally
	 * @param createdAt when the pair was made
	 */
	public record Signer(String keyId, String algorithm, PrivateKey privateKey, Map<String, ?> jwk,
			VerificationKey verification, Instant createdAt) {

		static Signer create(String algorithm, Instant now) {
			KeyPair pair = SignatureAlgorithms.newKeyPair(algorithm);
			PublicJwk<?> jwk = Jwks.builder()
				.key(pair.getPublic())
				.algorithm(algorithm)
				.publicKeyUse("sig")
				.idFromThumbprint()
				.build();
			return new Signer(jwk.getId(), algorithm, pair.getPrivate(), Map.copyOf(jwk),
					new VerificationKey(jwk.getId(), algorithm, pair.getPublic()), now);
		}

		@Override
		public String toString() {
			return "Signer[keyId=" + this.keyId + ", algorithm=" + this.algorithm + ", createdAt=" + this.createdAt
					+ "]";
		}

	}

}
