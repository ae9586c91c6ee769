package dev.fulcrum.testsupport;

import org.testcontainers.containers.GenericContainer;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Points Spring Data Redis at this JVM's {@link TestRedis}. Import it in every Spring
 * test that needs Redis: {@code @Import(TestRedisConfiguration.class)}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestRedisConfiguration {

	/**
	 * Where Docker runs: the shared container, connected through
	 * {@code @ServiceConnection}. It is shared by every application context of the JVM,
	 * so no context may stop it.
	 * @return the running container
	 */
	@Bean(destroyMethod = "")
	@ServiceConnection(name = "redis")
	@Conditional(UsesContainer.class)
	GenericContainer<?> redisContainer() {
		return TestRedis.container();
	}

	/**
	 * Without Docker: the embedded server's address as connection details.
	 * @return the connection details of the embedded Redis
	 */
	@Bean
	@Conditional(UsesEmbedded.class)
	DataRedisConnectionDetails embeddedRedisConnectionDetails() {
		TestRedis.Endpoint endpoint = TestRedis.start();
		return new DataRedisConnectionDetails() {

			@Override
			public Standalone getStandalone() {
				return Standalone.of(endpoint.host(), endpoint.port());
			}

		};
	}

	static class UsesContainer implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return TestRedis.kind() == TestRedis.Kind.TESTCONTAINERS;
		}

	}

	static class UsesEmbedded implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return TestRedis.kind() == TestRedis.Kind.EMBEDDED;
		}

	}

}
