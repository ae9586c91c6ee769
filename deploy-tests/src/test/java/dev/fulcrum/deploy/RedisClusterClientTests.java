package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.testsupport.TestRedisCluster;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The cluster variant's client side run for real, without Docker: each service's Redis
 * connection built by Spring Boot from its own {@code application.yml} and the
 * environment {@code docker-compose.cluster.yml} gives it (the nodes' host names replaced
 * by where the test cluster listens), logged in as its ACL user of
 * {@code docker/redis-users.acl}, created on every master as the compose nodes create it.
 * It must be the cluster client with topology refresh, may read the topology, writes its
 * own keys on whichever master serves them, and is refused every other key.
 */
class RedisClusterClientTests {

	private static final String PASSWORD = "cluster-client-test-only";

	@ParameterizedTest
	@CsvSource({ "auth-service, fulcrum:auth:cluster-test:{%d}", "gateway, fulcrum:ratelimit:cluster-test:{%d}",
			"api-service, fulcrum:{jobs}:cluster-test:%d", "worker-service, fulcrum:{jobs}:cluster-test:%d" })
	void theServiceUsesTheClusterClientAsItsAclUser(String service, String ownKey) {
		createUser(service);
		service(service).run((context) -> {
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.isClusterAware()).isTrue();
			ClusterTopologyRefreshOptions refresh = ((ClusterClientOptions) factory.getClientConfiguration()
				.getClientOptions()
				.orElseThrow()).getTopologyRefreshOptions();
			assertThat(refresh.useDynamicRefreshSources()).isTrue();
			assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
			assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
			StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
			try (var connection = factory.getClusterConnection()) {
				assertThat(connection.clusterGetNodes()).hasSize(TestRedisCluster.MASTERS);
			}
			Set<TestRedis.Endpoint> masters = new HashSet<>();
			for (int i = 0; i < 30; i++) {
				String key = ownKey.formatted(i);
				redis.opsForValue().set(key, "written by " + service, Duration.ofMinutes(1));
				assertThat(redis.opsForValue().get(key)).isEqualTo("written by " + service);
				masters.add(TestRedisCluster.masterOf(key));
			}
			assertThat(masters).as("masters written to")
				.hasSize(ownKey.contains("{jobs}") ? 1 : TestRedisCluster.MASTERS);
			assertThatException().as("another service's key")
				.isThrownBy(() -> redis.opsForValue().set("fulcrum:other:cluster-test", "x"))
				.withStackTraceContaining("NOPERM");
		});
	}

	/**
	 * The user's rules of the shipped ACL file, on every master, with this test's
	 * password.
	 */
	private static void createUser(String service) {
		String rules = aclRules(service).replaceFirst(">[A-Z_]+_PASSWORD ", ">" + PASSWORD + " ");
		TestRedisCluster.onEveryNode((redis) -> redis.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).add("SETUSER").addValues(List.of(rules.split(" ")))));
	}

	private static String aclRules(String service) {
		try {
			return Files.readAllLines(Repository.root().resolve("docker/redis-users.acl"))
				.stream()
				.filter((line) -> line.startsWith("user " + service + " "))
				.findFirst()
				.orElseThrow()
				.substring("user ".length());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Spring Boot's Redis auto-configuration as in the service: its
	 * {@code application.yml}, and the environment the two compose files give it, with
	 * the cluster's nodes where they listen here and this test's password in
	 * {@code REDIS_URL}.
	 */
	private static ApplicationContextRunner service(String service) {
		Map<String, Object> environment = new LinkedHashMap<>();
		for (String file : List.of("docker-compose.yml", "docker-compose.cluster.yml")) {
			Map<String, Object> definition = Repository.map(Repository.map(Repository.yaml(file), "services"), service);
			Repository.map(definition, "environment")
				.forEach((name, value) -> environment.put(name, String.valueOf(value)));
		}
		assertThat(environment.get("REDIS_URL").toString()).startsWith("redis://" + service + ":");
		environment.put("REDIS_URL", "redis://" + service + ":" + PASSWORD + "@redis:6379");
		List<String> composed = List.of(environment.get("SPRING_DATA_REDIS_CLUSTER_NODES").toString().split(","));
		assertThat(composed).hasSize(TestRedisCluster.MASTERS);
		environment.put("SPRING_DATA_REDIS_CLUSTER_NODES", String.join(",", TestRedisCluster.nodeAddresses()));
		List<PropertySource<?>> applicationYml = SentinelFailoverTests.applicationYml(service);
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withInitializer((context) -> {
				var sources = context.getEnvironment().getPropertySources();
				sources.addFirst(new SystemEnvironmentPropertySource(
						"compose-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
				new ArrayList<>(applicationYml).forEach(sources::addLast);
			});
	}

}
