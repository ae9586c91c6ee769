package dev.fulcrum.benchmarks;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.TokenJson;
import dev.fulcrum.token.TokenProperties;
import dev.fulcrum.token.TokenVerifier;
import dev.fulcrum.token.VerificationKey;
import dev.fulcrum.token.VerificationKeys;
import io.jsonwebtoken.Jwts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

/**
 * What Fulcrum's {@link TokenVerifier} costs per request, as the gateway and the API run
 * it: ES256 (the default algorithm), one key in the key set, tokens shaped like the
 * auth-service's and signed with {@link TokenJson}.
 * <ul>
 * <li>{@code cold}: a token this verifier has not verified yet (the first request with a
 * newly issued token): header, key lookup, signature, claims, and the cache put.</li>
 * <li>{@code cached}: the same token again (every later request until it expires): a
 * cache lookup and an expiry check.</li>
 * </ul>
 * Revocation ({@code RevocationChecker}, one Redis {@code EXISTS}) is not measured here.
 * {@code verify} returns a {@link Mono} that has completed by the time it is returned
 * when the key is known, so {@code block()} adds no waiting.
 */
@State(Scope.Benchmark)
@BenchmarkMode({ Mode.Throughput, Mode.AverageTime })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenVerifierBenchmark {

	private static final String KEY_ID = "fulcrum-es256-1";

	private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);

	/**
	 * Distinct tokens that {@code cold} cycles through; a power of two.
	 */
	private static final int POOL_SIZE = 1024;

	private final Clock clock = Clock.systemUTC();

	private KeyPair keyPair;

	private TokenProperties properties;

	/**
	 * Why a verifier with {@code cacheSize} 0 rather than 200,000 pre-signed tokens or a
	 * new verifier per call: it runs exactly the production miss path (the put included)
	 * without signing a token per measured call (~140 µs, 30 s for 200k) and without
	 * timing the construction of a parser and a cache. Caffeine evicts on a background
	 * thread, so a just-verified token may stay visible for a moment; {@code cold}
	 * therefore also rotates through {@link #POOL_SIZE} distinct tokens, each coming
	 * round again about 0.4 s later. Every cold call must reach
	 * {@link VerificationKeys#find}, which a cache hit skips;
	 * {@link #checkEveryColdCallMissed()} counts that.
	 */
	private TokenVerifier coldVerifier;

	private CountingKeys coldKeys;

	private String[] pool;

	private TokenVerifier cachedVerifier;

	private CountingKeys cachedKeys;

	private String cachedToken;

	private final LongAdder coldCalls = new LongAdder();

	@Setup(Level.Trial)
	public void setUp() {
		this.keyPair = Jwts.SIG.ES256.keyPair().build();
		VerificationKey key = new VerificationKey(KEY_ID, "ES256", this.keyPair.getPublic());
		this.properties = TokenProperties.defaults();
		TokenProperties d = this.properties;
		TokenProperties noCache = new TokenProperties(d.issuer(), d.audience(), d.algorithms(), d.jwksUri(),
				d.clockSkew(), d.maxTokenLength(), d.jwksRefreshInterval(), d.jwksMinRefreshInterval(), d.jwksTimeout(),
				0);
		this.coldKeys = new CountingKeys(key);
		this.coldVerifier = new TokenVerifier(noCache, this.coldKeys, this.clock);
		this.pool = new String[POOL_SIZE];
		for (int i = 0; i < POOL_SIZE; i++) {
			this.pool[i] = sign();
		}
		this.cachedKeys = new CountingKeys(key);
		this.cachedVerifier = new TokenVerifier(d, this.cachedKeys, this.clock);
		this.cachedToken = sign();
		AccessToken verified = this.cachedVerifier.verify(this.cachedToken).block();
		if (verified == null || !verified.roles().equals(List.of("USER"))) {
			throw new IllegalStateException("the verifier rejects the benchmark's token: " + verified);
		}
	}

	@Benchmark
	public AccessToken cold(Cursor cursor) {
		this.coldCalls.increment();
		return this.coldVerifier.verify(this.pool[cursor.next()]).block();
	}

	@Benchmark
	public AccessToken cached() {
		return this.cachedVerifier.verify(this.cachedToken).block();
	}

	@TearDown(Level.Trial)
	public void checkEveryColdCallMissed() {
		long calls = this.coldCalls.sum();
		long misses = this.coldKeys.finds.sum();
		if (misses != calls) {
			throw new IllegalStateException(
					"cold is not cold: " + (calls - misses) + " of " + calls + " calls hit the cache");
		}
		// One find, while priming in setUp; every later call was a hit.
		if (this.cachedKeys.finds.sum() != 1) {
			throw new IllegalStateException(
					"cached is not cached: the key was looked up " + this.cachedKeys.finds.sum() + " times");
		}
	}

	private String sign() {
		Instant now = this.clock.instant();
		return Jwts.builder()
			.json(TokenJson.serializer())
			.header()
			.keyId(KEY_ID)
			.and()
			.issuer(this.properties.issuer())
			.audience()
			.add(this.properties.audience())
			.and()
			.subject(UUID.randomUUID().toString())
			.issuedAt(Date.from(now))
			.expiration(Date.from(now.plus(TOKEN_LIFETIME)))
			.id(UUID.randomUUID().toString())
			.claim("sid", UUID.randomUUID().toString())
			.claim("roles", List.of("USER"))
			.claim("preferred_username", "alice")
			.signWith(this.keyPair.getPrivate(), Jwts.SIG.ES256)
			.compact();
	}

	/**
	 * Each thread walks the pool on its own, starting apart from the others (with
	 * {@code -t N}) so that no two threads verify the same token at the same time.
	 */
	@State(Scope.Thread)
	public static class Cursor {

		private static final AtomicInteger THREADS = new AtomicInteger();

		private int index = (THREADS.getAndIncrement() * 61) & (POOL_SIZE - 1);

		int next() {
			int current = this.index;
			this.index = (current + 1) & (POOL_SIZE - 1);
			return current;
		}

	}

	/**
	 * The key set of one key, as the JWKS client holds it once fetched; counts the
	 * lookups that only a cache miss makes.
	 */
	private static final class CountingKeys implements VerificationKeys {

		private final VerificationKey key;

		private final LongAdder finds = new LongAdder();

		CountingKeys(VerificationKey key) {
			this.key = key;
		}

		@Override
		public VerificationKey cached(String keyId) {
			return this.key.id().equals(keyId) ? this.key : null;
		}

		@Override
		public Mono<VerificationKey> find(String keyId) {
			this.finds.increment();
			return Mono.justOrEmpty(cached(keyId));
		}

		@Override
		public void onKeysRemoved(Consumer<Set<String>> listener) {
			// One fixed key: nothing is ever removed.
		}

	}

}
