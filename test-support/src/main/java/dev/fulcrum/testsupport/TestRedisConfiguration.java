package dev.fulcrum.testsupport;

import java.util.List;

import org.testcontainers.containers.GenericContainer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Node;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Points Spring Data Redis at this JVM's {@link TestRedis}. Import it in every Spring
 * test that needs Redis: {@code @Import(TestRedisConfiguration.class)}.
 * <p>
 * With the property {@value #TOPOLOGY}{@code =cluster} (for example in
 * {@code @TestPropertySource} on a subclass that runs a test class again on a cluster),
 * it points at this JVM's {@link TestRedisCluster} instead, as
 * {@code spring.data.redis.cluster.nodes} would.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestRedisConfiguration {

	/**
	 * The property that chooses a single node ({@code single}, the default) or the
	 * cluster ({@code cluster}).
	 */
	public static final String TOPOLOGY = "fulcrum.test.redis-topology";

	/**
	 * On a cluster: its masters as connection details.
	 * @return the connection details of the test cluster
	 */
	@Bean
	@Conditional(UsesCluster.class)
	DataRedisConnectionDetails clusterRedisConnectionDetails() {
		List<Node> nodes = TestRedisCluster.start().stream().map((node) -> new Node(node.host(), node.port())).toList();
		return new DataRedisConnectionDetails() {

			@Override
			public Cluster getCluster() {
				return () -> nodes;
			}

		};
	}

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

	/**
	 * On a cluster: refuses to start a context whose Redis client is not the cluster
	 * client, so that a test meant for the cluster cannot pass on a single node.
	 * @param factories the context's connection factory, if any
	 * @return the check, run once every singleton exists
	 */
	@Bean
	@Conditional(UsesCluster.class)
	static SmartInitializingSingleton clusterClientCheck(ObjectProvider<RedisConnectionFactory> factories) {
		return () -> factories.ifAvailable((factory) -> {
			if (!(factory instanceof LettuceConnectionFactory lettuce) || !lettuce.isClusterAware()) {
				throw new IllegalStateException("A test meant for the Redis Cluster got " + factory);
			}
		});
	}

	static boolean onCluster(ConditionContext context) {
		return "cluster".equals(context.getEnvironment().getProperty(TOPOLOGY, "single"));
	}

	static class UsesCluster implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return onCluster(context);
		}

	}

	static class UsesContainer implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return !onCluster(context) && TestRedis.kind() == TestRedis.Kind.TESTCONTAINERS;
		}

	}

	static class UsesEmbedded implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return !onCluster(context) && TestRedis.kind() == TestRedis.Kind.EMBEDDED;
		}

	}

}
