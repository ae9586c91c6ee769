package dev.fulcrum.testsupport;

import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(classes = TestRedisTests.class)
@ImportAutoConfiguration(DataRedisAutoConfiguration.class)
@Import(TestRedisConfiguration.class)
class TestRedisTests {

	@Autowired
	StringRedisTemplate redis;

	@Autowired
	RedisConnectionFactory connectionFactory;

	@Test
	void choosesTestcontainersOnlyWhereDockerRuns() {
		String forced = System.getenv("FULCRUM_TEST_REDIS");
		if (forced != null && !forced.isBlank() && !forced.equals("auto")) {
			assertThat(TestRedis.kind()).isEqualTo(TestRedis.Kind.valueOf(forced.toUpperCase()));
			return;
		}
		boolean docker;
		try {
			docker = DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			docker = false;
		}
		assertThat(TestRedis.kind()).isEqualTo(docker ? TestRedis.Kind.TESTCONTAINERS : TestRedis.Kind.EMBEDDED);
	}

	@Test
	void springTalksToTheSameRealRedis() {
		TestRedis.Endpoint endpoint = TestRedis.start();
		this.redis.opsForValue().set("test-support:probe", "hello");
		assertThat(this.redis.opsForValue().get("test-support:probe")).isEqualTo("hello");
		try (var connection = this.connectionFactory.getConnection()) {
			assertThat(connection.ping()).isEqualTo("PONG");
			String version = connection.serverCommands().info("server").getProperty("redis_version");
			assertThat(version).as("Redis major version").startsWith("7.");
			String port = connection.serverCommands().info("server").getProperty("tcp_port");
			if (TestRedis.kind() == TestRedis.Kind.EMBEDDED) {
				assertThat(port).isEqualTo(String.valueOf(endpoint.port()));
			}
		}
	}

	@Test
	void startsOncePerJvm() {
		assertThat(TestRedis.start()).isSameAs(TestRedis.start());
	}

}
