package dev.fulcrum.gateway.ratelimit;

import dev.fulcrum.testsupport.TestRedisCluster;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;

/**
 * {@link RateLimitAlgorithmsTests} again, with both gateways on a Redis Cluster of three
 * masters: each algorithm's script has one key, in the slot of its hash tag
 * {@code {<route>:<key>}}.
 */
class RateLimitAlgorithmsOnClusterTests extends RateLimitAlgorithmsTests {

	@Override
	RedisConfiguration redis() {
		return new RedisClusterConfiguration(TestRedisCluster.nodeAddresses());
	}

}
