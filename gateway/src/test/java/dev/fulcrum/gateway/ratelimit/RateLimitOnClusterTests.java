package dev.fulcrum.gateway.ratelimit;

import org.springframework.test.context.TestPropertySource;

import dev.fulcrum.testsupport.TestRedisConfiguration;

/**
 * {@link RateLimitTests} again, on a Redis Cluster of three masters: each algorithm's one
 * key, `fulcrum:ratelimit:<algorithm>:{<route>:<key>}`, on the master of its slot.
 */
@TestPropertySource(properties = TestRedisConfiguration.TOPOLOGY + "=cluster")
class RateLimitOnClusterTests extends RateLimitTests {

}
