package dev.fulcrum.auth.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fulcrum.auth.AuthServiceTest;
import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.token.TokenProperties;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A signing key whose renewals fail (Redis full) on a clock of its own: it signs only
 * while its published entry outlives any token it would sign, so the key never leaves the
 * JWK Set under a valid token; once Redis takes writes again, signing resumes. Before, it
 * went on signing while its entry ran out, and 18 minutes into a full Redis the set was
 * empty and every token refused.
 */
@AuthServiceTest
class SigningKeysWhenRedisIsFullTests {

	@Autowired
	StringRedisTemplate redis;

	@AfterEach
	void memoryFreed() {
		full(false);
	}

	@Test
	void signsOnlyWhatItsPublishedKeyOutlivesAndResumesWhenRedisTakesWritesAgain() {
		Instant start = Instant.now();
		MutableClock clock = new MutableClock(start);
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("fulcrum.auth.access-token-ttl", "15m",
				"fulcrum.auth.key-heartbeat", "1m", "fulcrum.token.clock-skew", "30s")));
		AuthProperties auth = binder.bindOrCreate("fulcrum.auth", AuthProperties.class);
		TokenProperties token = binder.bindOrCreate("fulcrum.token", TokenProperties.class);
		SigningKeys keys = new SigningKeys(this.redis, auth, token, clock);
		keys.rotate();
		String keyId = keys.signer().keyId();
		try {
			full(true);
			// Published until start + 15 m + 30 s + 2 heartbeats: a token signed a minute
			// in still ends before that.
			clock.now = start.plus(Duration.ofMinutes(1));
			keys.heartbeat();
			assertThat(keys.signer().keyId()).isEqualTo(keyId);

			clock.now = start.plus(Duration.ofMinutes(2)).plusSeconds(1);
			assertThatExceptionOfType(ProblemException.class).isThrownBy(keys::signer)
				.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(503));

			// The last token it signed (at 1 min) lives until 16 min 30 s: its key is
			// still in the set then.
			clock.now = start.plus(Duration.ofMinutes(16)).plusSeconds(30);
			assertThat(kids(keys)).contains(keyId);

			full(false);
			assertThat(keys.signer().keyId()).as("renewed by the next try").isEqualTo(keyId);
			assertThat(kids(keys)).contains(keyId);
		}
		finally {
			full(false);
			this.redis.opsForHash().delete(SigningKeys.JWKS_KEY, keyId);
			keys.stop();
		}
	}

	@SuppressWarnings("unchecked")
	private static List<String> kids(SigningKeys keys) {
		return ((List<Map<String, Object>>) keys.jwkSet().get("keys")).stream()
			.map((jwk) -> (String) jwk.get("kid"))
			.toList();
	}

	private void full(boolean full) {
		this.redis.execute((RedisCallback<Object>) (connection) -> {
			connection.serverCommands().setConfig("maxmemory-policy", "noeviction");
			connection.serverCommands().setConfig("maxmemory", full ? "1" : "0");
			return null;
		});
	}

	/** A clock the test sets. */
	static final class MutableClock extends Clock {

		volatile Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
