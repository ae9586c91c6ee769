package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HA variant of compose ({@code docker-compose.ha.yml}) run for real, without Docker:
 * a master, a replica and three Sentinels as Redis 7 processes configured as the file
 * configures the containers, and a service's Redis connection built by Spring Boot from
 * the service's own {@code application.yml} and the environment compose gives it, host
 * names aside. After a forced failover and after the master stops, the service must write
 * to the new master within a bounded time and still read what it wrote before; the old
 * master must come back as a replica of the new one.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SentinelFailoverTests {

	/** The service whose configuration is used; compose gives all four the same. */
	private static final String SERVICE = "api-service";

	private static final String PASSWORD = "failover-test-only";

	/**
	 * Keys the api-service's Redis user may write: its own (docker/redis-users.acl), in
	 * the slot of the job queue.
	 */
	private static final String PREFIX = "fulcrum:{jobs}:failover-test:";

	private static final String HELLO = PREFIX + "hello";

	private static final String BEFORE = PREFIX + "before";

	/** Longer than a failover and the old master's demotion (about 10 s) take. */
	private static final Duration FOLLOW = Duration.ofSeconds(60);

	private final Map<String, String> environment = composeEnvironment(SERVICE);

	private RedisWithSentinels redis;

	@BeforeEach
	void startMasterReplicaAndSentinels(TestInfo test) {
		Path directory = Path.of("target", "sentinel-failover", test.getTestMethod().orElseThrow().getName());
		this.redis = new RedisWithSentinels(directory, PASSWORD,
				this.environment.get("SPRING_DATA_REDIS_SENTINEL_MASTER"));
	}

	@AfterEach
	void stopEveryProcess() {
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void theServiceConnectsThroughTheSentinelsAndNotToTheHostOfItsRedisUrl() {
		// REDIS_URL names the compose host "redis", which does not resolve here: in
		// Sentinel mode only its password (and database) may be used.
		assertThat(this.environment.get("REDIS_URL")).contains("@redis:");
		service().run((context) -> {
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.getSentinelConfiguration()).isNotNull();
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			template.opsForValue().set(HELLO, "sentinel");
			assertThat(this.redis.get("master", HELLO)).isEqualTo("sentinel");
		});
	}

	@Test
	void aForcedFailoverMovesTheServiceToTheNewMasterWithItsData() {
		service().run((context) -> {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			writeBeforeTheFailover(template);

			this.redis.failover();

			awaitPromotionOf("replica");
			awaitWritesReaching("replica", template);
			assertThat(template.opsForValue().get(BEFORE)).isEqualTo("kept");
			// Sentinel demotes the old master, which still ran, and with it closes the
			// connections that clients still had there.
			awaitReplicating("master", "replica");
		});
	}

	@Test
	void whenTheMasterStopsTheReplicaTakesOverAndTheOldMasterComesBackAsAReplica() {
		service().run((context) -> {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			writeBeforeTheFailover(template);

			this.redis.stop("master");

			awaitPromotionOf("replica");
			awaitWritesReaching("replica", template);
			assertThat(template.opsForValue().get(BEFORE)).isEqualTo("kept");

			// Started again as compose would: the same command, its own files.
			this.redis.restart("master");
			awaitReplicating("master", "replica");
			assertThat(this.redis.get("master", BEFORE)).isEqualTo("kept");
			// Both roles are on disk, so that a restart or a `down` and `up` keeps them.
			assertThat(this.redis.configFile("master"))
				.containsPattern("(?m)^replicaof localhost " + this.redis.port("replica") + "$");
			assertThat(this.redis.configFile("replica")).doesNotContainPattern("(?m)^replicaof ");
		});
	}

	/** Writes a key and waits until the replica has it, so that a failover keeps it. */
	private void writeBeforeTheFailover(StringRedisTemplate template) {
		assertThat(this.redis.masterPort()).isEqualTo(this.redis.port("master"));
		template.opsForValue().set(BEFORE, "kept");
		await("the key on the replica").atMost(FOLLOW).until(() -> "kept".equals(this.redis.get("replica", BEFORE)));
	}

	private void awaitPromotionOf(String node) {
		await(node + " promoted").atMost(FOLLOW)
			.ignoreExceptions()
			.until(() -> this.redis.masterPort() == this.redis.port(node));
	}

	/**
	 * Writes through the service's connection until a write is found on the new master:
	 * until then the connection may fail, or still reach the old master.
	 */
	private void awaitWritesReaching(String node, StringRedisTemplate template) {
		AtomicInteger writes = new AtomicInteger();
		await("the service writing to " + node).atMost(FOLLOW)
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> {
				String key = PREFIX + "after-" + writes.incrementAndGet();
				template.opsForValue().set(key, "written");
				return "written".equals(this.redis.get(node, key)) && "written".equals(template.opsForValue().get(key));
			});
	}

	private void awaitReplicating(String replica, String master) {
		await(replica + " replicating " + master).atMost(FOLLOW).ignoreExceptions().until(() -> {
			return "slave".equals(this.redis.replication(replica, "role"))
					&& Integer.toString(this.redis.port(master)).equals(this.redis.replication(replica, "master_port"))
					&& "up".equals(this.redis.replication(replica, "master_link_status"));
		});
	}

	/**
	 * Spring Boot's Redis auto-configuration, as in the service: its
	 * {@code application.yml}, and the environment compose gives it with the Sentinels'
	 * host names replaced by where they listen here.
	 */
	private ApplicationContextRunner service() {
		Map<String, Object> variables = new LinkedHashMap<>(this.environment);
		List<String> sentinels = this.redis.sentinels();
		List<String> composed = List.of(this.environment.get("SPRING_DATA_REDIS_SENTINEL_NODES").split(","));
		assertThat(composed).hasSameSizeAs(sentinels);
		variables.put("SPRING_DATA_REDIS_SENTINEL_NODES", String.join(",", sentinels));
		List<PropertySource<?>> applicationYml = applicationYml(SERVICE);
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withInitializer((context) -> {
				var sources = context.getEnvironment().getPropertySources();
				// Named as Spring Boot expects of an environment, for its relaxed
				// binding.
				sources.addFirst(new SystemEnvironmentPropertySource(
						"compose-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
				applicationYml.forEach(sources::addLast);
			});
	}

	/** A service's {@code application.yml}, as Spring Boot loads it. */
	static List<PropertySource<?>> applicationYml(String service) {
		Path file = Repository.root().resolve(service + "/src/main/resources/application.yml");
		try {
			return new YamlPropertySourceLoader().load(service + " application.yml", new FileSystemResource(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A service's environment in the HA variant: {@code docker-compose.yml}'s, with
	 * {@code docker-compose.ha.yml}'s on top (as Compose merges them), and every
	 * {@code ${REDIS_..._PASSWORD:-...}} set to this test's password.
	 */
	static Map<String, String> composeEnvironment(String service) {
		Map<String, String> environment = new LinkedHashMap<>();
		for (String file : List.of("docker-compose.yml", "docker-compose.ha.yml")) {
			Map<String, Object> definition = Repository.map(Repository.map(Repository.yaml(file), "services"), service);
			Repository.map(definition, "environment")
				.forEach((name, value) -> environment.put(name, interpolate(String.valueOf(value))));
		}
		return environment;
	}

	private static String interpolate(String value) {
		Matcher variable = Pattern.compile("\\$\\{REDIS_[A-Z_]*PASSWORD:-[^}]*}").matcher(value);
		return variable.replaceAll(Matcher.quoteReplacement(PASSWORD));
	}

}
