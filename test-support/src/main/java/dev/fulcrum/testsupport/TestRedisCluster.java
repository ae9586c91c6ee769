package dev.fulcrum.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The one Redis Cluster of this test JVM: three masters and no replicas, each a
 * {@code redis-server} process of the embedded Redis 7 binary on a free loopback port,
 * started on first use and stopped when the JVM exits. The cluster is created here with
 * the commands {@code redis-cli --cluster create} sends: {@code CLUSTER ADDSLOTSRANGE} on
 * each node (a third of the 16,384 slots each), {@code CLUSTER MEET}, then a wait until
 * every node says {@code cluster_state:ok}.
 * <p>
 * {@link #moveSlot} moves one slot between masters as {@code redis-cli --cluster reshard}
 * does, so that a test can reshard under load.
 */
public final class TestRedisCluster {

	/** The number of masters. */
	public static final int MASTERS = 3;

	private static final int SLOTS = 16384;

	private static final Logger logger = LoggerFactory.getLogger(TestRedisCluster.class);

	private static List<TestRedis.Endpoint> nodes;

	private TestRedisCluster() {
	}

	/**
	 * Starts this JVM's cluster if it is not running yet.
	 * @return its masters, in slot order (the first serves slots 0 to 5460)
	 */
	public static synchronized List<TestRedis.Endpoint> start() {
		if (nodes == null) {
			List<TestRedis.Endpoint> started = new ArrayList<>();
			for (int i = 0; i < MASTERS; i++) {
				started.add(startNode());
			}
			create(started);
			nodes = List.copyOf(started);
			logger.info("Test Redis Cluster listens on {}", nodes);
		}
		return nodes;
	}

	/**
	 * The masters as {@code host:port}, as {@code spring.data.redis.cluster.nodes} takes
	 * them.
	 * @return the nodes
	 */
	public static List<String> nodeAddresses() {
		return start().stream().map((node) -> node.host() + ":" + node.port()).toList();
	}

	/**
	 * Sends a command to every master as the default user, for what each node keeps on
	 * its own: ACL users, {@code FLUSHALL}, configuration.
	 * @param command what to do on one node
	 */
	public static void onEveryNode(Function<RedisCommands<String, String>, ?> command) {
		for (TestRedis.Endpoint node : start()) {
			on(node, command);
		}
	}

	/**
	 * The master that serves a key now.
	 * @param key the key
	 * @return its master
	 */
	public static TestRedis.Endpoint masterOf(String key) {
		int slot = SlotHash.getSlot(key);
		for (TestRedis.Endpoint node : start()) {
			String owner = on(node, (redis) -> ownerId(redis, slot));
			if (owner.equals(on(node, RedisCommands::clusterMyId))) {
				return node;
			}
		}
		throw new IllegalStateException("No master serves slot " + slot);
	}

	/**
	 * Moves a slot, with its keys, to another master while clients keep using it: the
	 * target is told it imports the slot, the source that it migrates it, the keys move a
	 * batch at a time with {@code MIGRATE} (clients get {@code ASK} redirections in the
	 * meantime), and then every node learns the new owner ({@code MOVED} from then on).
	 * @param slot the slot
	 * @param target the master that will serve it
	 * @return how many keys moved
	 */
	public static int moveSlot(int slot, TestRedis.Endpoint target) {
		TestRedis.Endpoint source = masterOfSlot(slot);
		if (source.equals(target)) {
			return 0;
		}
		String sourceId = on(source, RedisCommands::clusterMyId);
		String targetId = on(target, RedisCommands::clusterMyId);
		on(target, (redis) -> redis.clusterSetSlotImporting(slot, sourceId));
		on(source, (redis) -> redis.clusterSetSlotMigrating(slot, targetId));
		int moved = 0;
		while (true) {
			List<String> keys = on(source, (redis) -> redis.clusterGetKeysInSlot(slot, 100));
			if (keys.isEmpty()) {
				break;
			}
			on(source, (redis) -> redis.migrate(target.host(), target.port(), 0, 5000,
					io.lettuce.core.MigrateArgs.Builder.keys(keys)));
			moved += keys.size();
		}
		// The target first, so that it never redirects back to the source.
		on(target, (redis) -> redis.clusterSetSlotNode(slot, targetId));
		on(source, (redis) -> redis.clusterSetSlotNode(slot, targetId));
		for (TestRedis.Endpoint node : start()) {
			if (!node.equals(source) && !node.equals(target)) {
				on(node, (redis) -> redis.clusterSetSlotNode(slot, targetId));
			}
		}
		return moved;
	}

	/**
	 * A master that does not serve a slot now: where to move it.
	 * @param slot the slot
	 * @return another master
	 */
	public static TestRedis.Endpoint anotherMaster(int slot) {
		TestRedis.Endpoint owner = masterOfSlot(slot);
		return start().stream().filter((node) -> !node.equals(owner)).findFirst().orElseThrow();
	}

	/**
	 * The master that serves a slot now, as the first master of the list sees it.
	 * @param slot the slot
	 * @return its master
	 */
	public static TestRedis.Endpoint masterOfSlot(int slot) {
		String owner = on(start().get(0), (redis) -> ownerId(redis, slot));
		for (TestRedis.Endpoint node : start()) {
			if (owner.equals(on(node, RedisCommands::clusterMyId))) {
				return node;
			}
		}
		throw new IllegalStateException("No master serves slot " + slot);
	}

	private static String ownerId(RedisCommands<String, String> redis, int slot) {
		for (Object range : redis.clusterSlots()) {
			List<?> entry = (List<?>) range;
			long from = (Long) entry.get(0);
			long to = (Long) entry.get(1);
			if (slot >= from && slot <= to) {
				return (String) ((List<?>) entry.get(2)).get(2);
			}
		}
		throw new IllegalStateException("No range holds slot " + slot);
	}

	/**
	 * Runs a command on one node as the default user.
	 * @param <T> the answer's type
	 * @param node the node
	 * @param command the command
	 * @return its answer
	 */
	public static <T> T on(TestRedis.Endpoint node, Function<RedisCommands<String, String>, T> command) {
		RedisClient client = RedisClient.create(RedisURI.create(node.host(), node.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8)) {
			return command.apply(connection.sync());
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
	}

	private static void create(List<TestRedis.Endpoint> masters) {
		int share = SLOTS / masters.size();
		for (int i = 0; i < masters.size(); i++) {
			int from = i * share;
			int to = (i == masters.size() - 1) ? SLOTS - 1 : from + share - 1;
			on(masters.get(i), (redis) -> redis.clusterAddSlotsRange(Range.create(from, to)));
		}
		TestRedis.Endpoint first = masters.get(0);
		for (TestRedis.Endpoint other : masters.subList(1, masters.size())) {
			on(first, (redis) -> redis.clusterMeet(other.host(), other.port()));
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (!masters.stream().allMatch((node) -> ready(node, masters.size()))) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The test cluster did not reach cluster_state:ok in 30 s");
			}
			sleep(Duration.ofMillis(100));
		}
	}

	private static boolean ready(TestRedis.Endpoint node, int masters) {
		String info = on(node, RedisCommands::clusterInfo);
		return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + masters)
				&& info.contains("cluster_slots_ok:" + SLOTS);
	}

	private static TestRedis.Endpoint startNode() {
		RuntimeException last = null;
		// A free port can be taken by someone else between the check and the bind: try
		// again. The cluster bus listens on the port + 10000, which must be free too.
		for (int attempt = 0; attempt < 5; attempt++) {
			int port = TestRedis.freePort();
			if (port + 10000 > 65535 || !isFree(port + 10000)) {
				continue;
			}
			Path dir = directory(port);
			RedisServer server = RedisServer.builder()
				.port(port)
				.bind("127.0.0.1")
				.setting("dir " + dir)
				.setting("cluster-enabled yes")
				.setting("cluster-config-file nodes-" + port + ".conf")
				.setting("cluster-node-timeout 5000")
				.setting("save \"\"")
				.setting("appendonly no")
				.setting("maxmemory-policy noeviction")
				.build();
			try {
				server.start();
				Runtime.getRuntime().addShutdownHook(new Thread(() -> {
					server.stop();
					delete(dir);
				}, "test-redis-cluster-stop"));
				return new TestRedis.Endpoint("127.0.0.1", port);
			}
			catch (RuntimeException ex) {
				last = ex;
			}
		}
		throw new IllegalStateException("Could not start a node of the test Redis Cluster", last);
	}

	private static Path directory(int port) {
		try {
			return Files.createTempDirectory("fulcrum-redis-cluster-" + port + "-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void delete(Path dir) {
		try (var files = Files.list(dir)) {
			for (Path file : files.toList()) {
				Files.deleteIfExists(file);
			}
			Files.deleteIfExists(dir);
		}
		catch (IOException ex) {
			// Only a few bytes in the temporary directory are left behind.
		}
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
