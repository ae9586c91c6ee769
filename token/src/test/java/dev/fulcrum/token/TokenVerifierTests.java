package dev.fulcrum.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVerifierTests {

	final JwksServer server = new JwksServer();

	final JwksServer.Signer signer = this.server.publish();

	final MutableClock clock = new MutableClock(Instant.now());

	final CountingKeys keys = new CountingKeys(
			new RemoteJwks(this.server.properties(Duration.ofSeconds(1)), Clock.systemUTC()));

	final TokenVerifier verifier = new TokenVerifier(this.server.properties(Duration.ofSeconds(1)), this.keys,
			this.clock);

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void checksTheSignatureOnceAndThenAnswersFromTheCache() {
		String token = this.signer.token(this.clock.instant(), Duration.ofMinutes(15));
		AccessToken first = this.verifier.verify(token).block();
		int lookups = this.keys.lookups.get();
		AccessToken again = this.verifier.verify(token).block();
		assertThat(again).isEqualTo(first);
		assertThat(this.keys.lookups).as("no key lookup, no signature check for a cached token").hasValue(lookups);
		assertThat(first.username()).isEqualTo("alice");
		assertThat(first.roles()).containsExactly("USER");
		assertThat(first.sessionId()).isEqualTo("session-1");
	}

	@Test
	void refusesACachedTokenOnceItExpires() {
		String token = this.signer.token(this.clock.instant(), Duration.ofMinutes(15));
		assertThat(this.verifier.verify(token).block()).isNotNull();
		this.clock.advance(Duration.ofMinutes(15).plusSeconds(31));
		assertThatThrownBy(() -> this.verifier.verify(token).block()).isInstanceOf(InvalidTokenException.class)
			.hasMessage("token has expired");
	}

	@Test
	void toleratesSmallClockSkewOnly() {
		String fromTheFuture = this.signer.token(this.clock.instant().plusSeconds(20), Duration.ofMinutes(15));
		assertThat(this.verifier.verify(fromTheFuture).block()).isNotNull();
		String tooFarAhead = this.signer.token(this.clock.instant().plusSeconds(120), Duration.ofMinutes(15));
		assertThatThrownBy(() -> this.verifier.verify(tooFarAhead).block()).isInstanceOf(InvalidTokenException.class)
			.hasMessage("token is not valid yet");
	}

	static final class CountingKeys implements VerificationKeys {

		final AtomicInteger lookups = new AtomicInteger();

		private final VerificationKeys delegate;

		CountingKeys(VerificationKeys delegate) {
			this.delegate = delegate;
		}

		@Override
		public VerificationKey cached(String keyId) {
			this.lookups.incrementAndGet();
			return this.delegate.cached(keyId);
		}

		@Override
		public Mono<VerificationKey> find(String keyId) {
			this.lookups.incrementAndGet();
			return this.delegate.find(keyId);
		}

		@Override
		public void onKeysRemoved(Consumer<Set<String>> listener) {
			this.delegate.onKeysRemoved(listener);
		}

	}

	static final class MutableClock extends Clock {

		private volatile Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
