package dev.fulcrum.auth;

import org.springframework.test.context.TestPropertySource;

import dev.fulcrum.testsupport.TestRedisConfiguration;

/**
 * {@link AuthFlowTests} again, on a Redis Cluster of three masters: users, sessions,
 * refresh-token rotation, logout-all, throttles, signing keys and revocations, each
 * script within one slot (`{<sid>}`, `{<user id>}`, `{<name>}`), and revocations
 * announced over the cluster's pub/sub.
 */
@TestPropertySource(properties = TestRedisConfiguration.TOPOLOGY + "=cluster")
class AuthFlowOnClusterTests extends AuthFlowTests {

}
