package dev.fulcrum.testsupport;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(classes = TestRedisClusterTests.class, properties = TestRedisConfiguration.TOPOLOGY + "=cluster")
@ImportAutoConfiguration(DataRedisAutoConfiguration.class)
@Import(TestRedisConfiguration.class)
class TestRedisClusterTests {

	@Autowired
	StringRedisTemplate redis;

	@Autowired
	RedisConnectionFactory connectionFactory;

	@Test
	void springTalksToAClusterOfThreeMasters() {
		try (RedisClusterConnection connection = this.connectionFactory.getClusterConnection()) {
			assertThat(connection.clusterGetNodes()).hasSize(TestRedisCluster.MASTERS)
				.allSatisfy((node) -> assertThat(node.isMaster()).isTrue());
		}
		Set<TestRedis.Endpoint> masters = new HashSet<>();
		for (int i = 0; i < 30; i++) {
			String key = "test-support:spread:" + i;
			this.redis.opsForValue().set(key, "v" + i);
			assertThat(this.redis.opsForValue().get(key)).isEqualTo("v" + i);
			masters.add(TestRedisCluster.masterOf(key));
		}
		assertThat(masters).as("masters that hold 30 keys").hasSize(TestRedisCluster.MASTERS);
	}

	@Test
	void aScriptRunsOnTheMasterOfItsKeysSlot() {
		RedisScript<Long> script = RedisScript
			.of("redis.call('SET', KEYS[1], ARGV[1]) " + "return redis.call('INCR', KEYS[2])", Long.class);
		for (int i = 0; i < 10; i++) {
			String tag = "{test-support:" + i + "}";
			assertThat(this.redis.execute(script, List.of(tag + ":a", tag + ":b"), "x")).isEqualTo(1L);
		}
	}

	@Test
	void aMovedSlotKeepsItsKeysAndClientsFollowIt() throws Exception {
		String tag = "{test-support:moving}";
		int slot = SlotHash.getSlot(tag);
		TestRedis.Endpoint before = TestRedisCluster.masterOfSlot(slot);
		TestRedis.Endpoint target = TestRedisCluster.anotherMaster(slot);
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicInteger written = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread writer = Thread.ofPlatform().start(() -> {
			try {
				while (writing.get()) {
					int n = written.get();
					this.redis.opsForValue().set(tag + ":" + n, String.valueOf(n));
					this.redis.opsForList().rightPush(tag + ":list", String.valueOf(n));
					written.incrementAndGet();
				}
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> written.get() >= 100);
		int moved = TestRedisCluster.moveSlot(slot, target);
		int atTheMove = written.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> written.get() >= atTheMove + 100);
		writing.set(false);
		writer.join();
		assertThat(failure.get()).as("a write failed during the move").isNull();
		assertThat(moved).isPositive();
		assertThat(TestRedisCluster.masterOfSlot(slot)).isEqualTo(target);
		int count = written.get();
		assertThat(this.redis.opsForList().size(tag + ":list")).isEqualTo(count);
		for (int n = 0; n < count; n++) {
			assertThat(this.redis.opsForValue().get(tag + ":" + n)).isEqualTo(String.valueOf(n));
		}
		TestRedisCluster.moveSlot(slot, before);
	}

}
