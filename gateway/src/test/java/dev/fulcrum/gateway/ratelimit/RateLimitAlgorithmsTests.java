package dev.fulcrum.gateway.ratelimit;

import java.time.Duration;
import java.util.UUID;

import dev.fulcrum.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each algorithm's semantics against real Redis, at times the test chooses (the scripts
 * take the time as an argument; in service they use Redis's clock).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitAlgorithmsTests {

	final LettuceConnectionFactory first = factory(redis());

	final LettuceConnectionFactory second = factory(redis());

	final RateLimiter limiter = new RateLimiter(new ReactiveStringRedisTemplate(this.first));

	final RateLimiter otherGateway = new RateLimiter(new ReactiveStringRedisTemplate(this.second));

	String key;

	@BeforeEach
	void newKey() {
		this.key = "test:" + UUID.randomUUID();
	}

	@AfterAll
	void close() {
		this.first.destroy();
		this.second.destroy();
	}

	/**
	 * Where the two gateways' Redis is.
	 * @return a single node
	 */
	RedisConfiguration redis() {
		return new RedisStandaloneConfiguration(TestRedis.start().host(), TestRedis.start().port());
	}

	@Test
	void tokenBucketLetsABurstThroughThenTheRefillRate() {
		Policy policy = new Policy("token-bucket", 10, Duration.ofSeconds(1), 5);
		for (int i = 0; i < 5; i++) {
			assertThat(take(policy, 0).allowed()).as("burst request %d", i + 1).isTrue();
		}
		Decision refused = take(policy, 0);
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.retryAfterMillis()).isEqualTo(100);
		assertThat(take(policy, 100).allowed()).as("one token 100 ms later").isTrue();
		assertThat(take(policy, 150).retryAfterMillis()).isEqualTo(50);
	}

	@Test
	void aTokenBucketLargerThanItsRefillAdvertisesItsSizeAsTheQuota() {
		Policy policy = new Policy("token-bucket", 10, Duration.ofSeconds(1), 25);
		Decision first = take(policy, 0);
		assertThat(first.remaining()).isEqualTo(24);
		assertThat(policy.quota()).isEqualTo(25).isGreaterThan(first.remaining());
		assertThat(new Policy("token-bucket", 10, Duration.ofSeconds(1), 5).quota()).isEqualTo(10);
		assertThat(new Policy("fixed-window", 10, Duration.ofSeconds(1), 0).quota()).isEqualTo(10);
	}

	@Test
	void leakyBucketSpacesRequestsEvenly() {
		Policy policy = new Policy("leaky-bucket", 10, Duration.ofSeconds(1), 0);
		assertThat(policy.burst()).isEqualTo(1);
		assertThat(take(policy, 0).allowed()).isTrue();
		Decision early = take(policy, 50);
		assertThat(early.allowed()).isFalse();
		assertThat(early.retryAfterMillis()).isEqualTo(50);
		assertThat(take(policy, 100).allowed()).isTrue();
		assertThat(take(policy, 150).allowed()).isFalse();
		assertThat(take(policy, 200).allowed()).isTrue();
	}

	@Test
	void leakyBucketWithABurstTakesThatManyAtOnce() {
		Policy policy = new Policy("leaky-bucket", 10, Duration.ofSeconds(1), 3);
		assertThat(take(policy, 0).remaining()).isEqualTo(2);
		assertThat(take(policy, 0).allowed()).isTrue();
		assertThat(take(policy, 0).allowed()).isTrue();
		assertThat(take(policy, 0).allowed()).isFalse();
	}

	@Test
	void fixedWindowResetsAtTheEdgeSoTwiceTheLimitFitsAcrossIt() {
		Policy policy = new Policy("fixed-window", 3, Duration.ofSeconds(1), 0);
		for (int i = 0; i < 3; i++) {
			assertThat(take(policy, 900).allowed()).isTrue();
		}
		Decision refused = take(policy, 900);
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.retryAfterMillis()).as("until the window ends").isEqualTo(100);
		for (int i = 0; i < 3; i++) {
			assertThat(take(policy, 1000).allowed()).as("a new window").isTrue();
		}
	}

	@Test
	void slidingWindowAllowsNoBurstAcrossTheEdge() {
		Policy policy = new Policy("sliding-window", 3, Duration.ofSeconds(1), 0);
		for (int i = 0; i < 3; i++) {
			assertThat(take(policy, 900).allowed()).isTrue();
		}
		// Right after the edge the previous window still counts almost fully.
		Decision refused = take(policy, 1000);
		assertThat(refused.allowed()).isFalse();
		// 3 x (1 - e) + 1 <= 3 once e >= 1/3 of the new window.
		assertThat(refused.retryAfterMillis()).isEqualTo(334);
		assertThat(take(policy, 1400).allowed()).as("3 x 0.6 + 1 = 2.8").isTrue();
		assertThat(take(policy, 1400).allowed()).as("3 x 0.6 + 2 = 3.8").isFalse();
	}

	@Test
	void twoGatewaysShareOneLimit() {
		Policy policy = new Policy("fixed-window", 10, Duration.ofSeconds(1), 0);
		int allowed = 0;
		for (int i = 0; i < 20; i++) {
			RateLimiter gateway = (i % 2 == 0) ? this.limiter : this.otherGateway;
			if (gateway.take(this.key, policy, 5_000L).block().allowed()) {
				allowed++;
			}
		}
		assertThat(allowed).isEqualTo(10);
	}

	@Test
	void usesRedisTimeWhenNoneIsGiven() {
		Policy policy = new Policy("token-bucket", 1, Duration.ofMinutes(1), 1);
		assertThat(limiter.take(this.key, policy).block().allowed()).isTrue();
		Decision refused = limiter.take(this.key, policy).block();
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.retryAfterMillis()).isBetween(59_000L, 60_000L);
	}

	private Decision take(Policy policy, long now) {
		return this.limiter.take(this.key, policy, now).block();
	}

	private static LettuceConnectionFactory factory(RedisConfiguration redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(redis,
				LettuceClientConfiguration.defaultConfiguration());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
