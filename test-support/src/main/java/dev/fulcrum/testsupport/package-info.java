/**
 * Real Redis for every test: one Redis 7 per test JVM, from Testcontainers where a Docker
 * engine answers, else from the embedded binary of {@code org.signal:embedded-redis}.
 * Spring tests import {@link dev.fulcrum.testsupport.TestRedisConfiguration}; plain tests
 * call {@link dev.fulcrum.testsupport.TestRedis#start()}.
 */
package dev.fulcrum.testsupport;
