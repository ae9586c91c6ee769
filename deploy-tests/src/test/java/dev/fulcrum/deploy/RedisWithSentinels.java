package dev.fulcrum.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import redis.embedded.RedisExecProvider;

import static org.awaitility.Awaitility.await;

/**
 * A master, a replica and three Sentinels as real Redis 7 processes on this machine (the
 * binary of {@code embedded-redis}), configured as {@code docker-compose.ha.yml}
 * configures its containers: the same password for the data nodes and the Sentinels, each
 * Redis keeping its role in its own {@code redis.conf}, every instance named by host name
 * ({@code localhost} here, the compose service names there), quorum 2. Only the
 * Sentinels' down-after time is shorter, to keep the test short.
 * <p>
 * Everything runs under one directory, one subdirectory and log per process, so that a
 * failed run can be read afterwards. {@link #close()} stops every process it started.
 */
final class RedisWithSentinels implements AutoCloseable {

	private static final Duration READY = Duration.ofSeconds(30);

	private final Path directory;

	private final String password;

	private final String masterName;

	private final File binary;

	private final RedisClient client = RedisClient.create();

	private final Map<String, Node> nodes = new LinkedHashMap<>();

	private final Thread cleanup = new Thread(this::stopAll, "redis-with-sentinels-stop");

	/**
	 * Starts the master, then the replica, then three Sentinels, and waits until every
	 * Sentinel knows the replica and the two others: until then a failover could not
	 * happen.
	 * @param directory where the processes keep their files (emptied first)
	 * @param password the data nodes' and the Sentinels' password
	 * @param masterName the name the Sentinels monitor the master under
	 */
	RedisWithSentinels(Path directory, String password, String masterName) {
		this.directory = directory;
		this.password = password;
		this.masterName = masterName;
		this.binary = binary();
		Runtime.getRuntime().addShutdownHook(this.cleanup);
		try {
			deleteRecursively(directory);
			writeAclFile();
			int masterPort = startDataNode("master", null);
			startDataNode("replica", masterPort);
			for (int i = 1; i <= 3; i++) {
				startSentinel("sentinel-" + i, masterPort);
			}
			// A failover needs Sentinels that know the replica (they learn it from the
			// master's INFO, every 10 s) and each other, not only a running process.
			await("every Sentinel knowing the replica and the other Sentinels").atMost(READY)
				.ignoreExceptions()
				.until(() -> this.nodes.values()
					.stream()
					.filter((node) -> node.sentinel)
					.allMatch(this::readyForAFailover));
		}
		catch (RuntimeException | Error ex) {
			close();
			throw ex;
		}
	}

	int port(String node) {
		return this.nodes.get(node).port;
	}

	/** The Sentinels' endpoints, {@code localhost:port}, in order. */
	List<String> sentinels() {
		return this.nodes.values()
			.stream()
			.filter((node) -> node.sentinel)
			.map((node) -> "localhost:" + node.port)
			.toList();
	}

	/** The port of the master as the Sentinels announce it. */
	int masterPort() {
		return sentinel(
				(connection) -> ((InetSocketAddress) connection.sync().getMasterAddrByName(this.masterName)).getPort());
	}

	/** Forces a failover, as {@code SENTINEL FAILOVER} does. */
	void failover() {
		sentinel((connection) -> connection.sync().failover(this.masterName));
	}

	/** The value of a key, read straight from one data node. */
	String get(String node, String key) {
		return redis(node, (redis) -> redis.sync().get(key));
	}

	/** One field of {@code INFO replication} of a data node, e.g. {@code role}. */
	String replication(String node, String field) {
		String info = redis(node, (redis) -> redis.sync().info("replication"));
		return info.lines()
			.filter((line) -> line.startsWith(field + ":"))
			.map((line) -> line.substring(field.length() + 1).strip())
			.findFirst()
			.orElse("");
	}

	/** What a data node keeps in its {@code redis.conf} (the role survives restarts). */
	String configFile(String node) {
		try {
			return Files.readString(this.nodes.get(node).directory.resolve("redis.conf"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Stops a process as {@code docker compose stop} does: SIGTERM, then wait. */
	void stop(String node) {
		this.nodes.get(node).stop();
	}

	/** Starts a stopped process again, with the same command and files. */
	void restart(String node) {
		Node stopped = this.nodes.get(node);
		stopped.start();
		awaitReady(stopped);
	}

	@Override
	public void close() {
		stopAll();
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		try {
			Runtime.getRuntime().removeShutdownHook(this.cleanup);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down, and the hook does the same.
		}
	}

	private void stopAll() {
		List<Node> started = new ArrayList<>(this.nodes.values());
		started.reversed().forEach(Node::stop);
	}

	/**
	 * A data node. Its settings are compose's, on the command line; its file starts empty
	 * (a master) or with {@code replicaof}, and from then on Sentinel rewrites it.
	 */
	private int startDataNode(String name, Integer replicaOf) {
		return start(name, false, (port) -> {
			String file = local(port) + ((replicaOf != null) ? "replicaof localhost " + replicaOf + "\n" : "");
			List<String> arguments = List.of("--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory", "256mb",
					"--maxmemory-policy", "noeviction", "--requirepass", this.password, "--aclfile",
					aclFile().toAbsolutePath().toString(), "--masterauth", this.password, "--replica-announce-ip",
					"localhost");
			return new Config("redis.conf", file, arguments);
		});
	}

	/**
	 * The data nodes' users, written as compose writes them: by
	 * {@code docker/redis-users.sh} from {@code docker/redis-users.acl}, every password
	 * this one.
	 */
	private void writeAclFile() {
		try {
			Files.createDirectories(this.directory);
			Path root = Repository.root();
			ProcessBuilder builder = new ProcessBuilder("sh", root.resolve("docker/redis-users.sh").toString(),
					root.resolve("docker/redis-users.acl").toString(), aclFile().toAbsolutePath().toString())
				.redirectErrorStream(true);
			for (String name : List.of("REDIS_PASSWORD", "REDIS_AUTH_SERVICE_PASSWORD", "REDIS_GATEWAY_PASSWORD",
					"REDIS_API_SERVICE_PASSWORD", "REDIS_WORKER_SERVICE_PASSWORD")) {
				builder.environment().put(name, this.password);
			}
			Process process = builder.start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("redis-users.sh failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private Path aclFile() {
		return this.directory.resolve("users.acl");
	}

	/** A Sentinel, with the lines compose writes into {@code sentinel.conf}. */
	private void startSentinel(String name, int masterPort) {
		start(name, true,
				(port) -> new Config("sentinel.conf",
						local(port) + String.join("\n", "requirepass \"" + this.password + "\"",
								"sentinel resolve-hostnames yes", "sentinel announce-hostnames yes",
								"sentinel announce-ip localhost",
								"sentinel monitor " + this.masterName + " localhost " + masterPort + " 2",
								"sentinel auth-pass " + this.masterName + " \"" + this.password + "\"",
								"sentinel down-after-milliseconds " + this.masterName + " 1000",
								"sentinel failover-timeout " + this.masterName + " 30000",
								"sentinel parallel-syncs " + this.masterName + " 1", ""),
						List.of("--sentinel")));
	}

	/** What differs from a container: the port, and loopback (either family) only. */
	private static String local(int port) {
		return "port " + port + "\nbind 127.0.0.1 -::1\n";
	}

	/**
	 * Starts a process on a free port; a port can be taken between the check and the
	 * bind, so a process that dies at once is tried again on another one.
	 */
	private int start(String name, boolean sentinel, IntFunction<Config> config) {
		RuntimeException last = null;
		for (int attempt = 0; attempt < 3; attempt++) {
			int port = freePort();
			Path dir = this.directory.resolve(name);
			Node node = new Node(name, sentinel, port, dir, config.apply(port));
			this.nodes.put(name, node);
			try {
				node.start();
				awaitReady(node);
				return port;
			}
			catch (RuntimeException ex) {
				node.stop();
				deleteRecursively(dir);
				last = ex;
			}
		}
		throw new IllegalStateException("Could not start " + name, last);
	}

	private void awaitReady(Node node) {
		await(node.name + " answering").atMost(READY)
			.failFast(node.name + " exited; see " + node.log(), () -> !node.process.isAlive())
			.ignoreExceptions()
			.until(() -> {
				RedisURI uri = uri(node.port);
				if (node.sentinel) {
					try (StatefulRedisSentinelConnection<String, String> connection = this.client
						.connectSentinel(uri)) {
						return "PONG".equals(connection.sync().ping());
					}
				}
				try (StatefulRedisConnection<String, String> connection = this.client.connect(uri)) {
					return "PONG".equals(connection.sync().ping());
				}
			});
	}

	private boolean readyForAFailover(Node sentinel) {
		try (StatefulRedisSentinelConnection<String, String> connection = this.client
			.connectSentinel(uri(sentinel.port))) {
			Map<String, String> master = connection.sync().master(this.masterName);
			String quorum = connection.sync()
				.dispatch(CommandType.SENTINEL, new StatusOutput<>(StringCodec.UTF8),
						new CommandArgs<>(StringCodec.UTF8).add("CKQUORUM").add(this.masterName));
			return "1".equals(master.get("num-slaves")) && "2".equals(master.get("num-other-sentinels"))
					&& quorum.startsWith("OK");
		}
	}

	private <T> T redis(String node, Function<StatefulRedisConnection<String, String>, T> call) {
		try (StatefulRedisConnection<String, String> connection = this.client.connect(uri(port(node)))) {
			return call.apply(connection);
		}
	}

	/** Asks the first Sentinel that answers. */
	private <T> T sentinel(Function<StatefulRedisSentinelConnection<String, String>, T> call) {
		RuntimeException last = null;
		for (Node node : this.nodes.values()) {
			if (node.sentinel && node.process != null && node.process.isAlive()) {
				try (StatefulRedisSentinelConnection<String, String> connection = this.client
					.connectSentinel(uri(node.port))) {
					return call.apply(connection);
				}
				catch (RuntimeException ex) {
					last = ex;
				}
			}
		}
		throw new IllegalStateException("No Sentinel answers", last);
	}

	private RedisURI uri(int port) {
		return RedisURI.builder()
			.withHost("127.0.0.1")
			.withPort(port)
			.withPassword(this.password.toCharArray())
			.withTimeout(Duration.ofSeconds(2))
			.build();
	}

	private static File binary() {
		try {
			return RedisExecProvider.defaultProvider().get();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No Redis binary from embedded-redis", ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void deleteRecursively(Path path) {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> files = Files.walk(path)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A configuration file's name and first content, and the command-line settings. */
	private record Config(String file, String content, List<String> arguments) {
	}

	/** One process: its name, port, files and the command that (re)starts it. */
	private final class Node {

		private final String name;

		private final boolean sentinel;

		private final int port;

		private final Path directory;

		private final Config config;

		private Process process;

		Node(String name, boolean sentinel, int port, Path directory, Config config) {
			this.name = name;
			this.sentinel = sentinel;
			this.port = port;
			this.directory = directory;
			this.config = config;
		}

		void start() {
			try {
				Files.createDirectories(this.directory);
				Path file = this.directory.resolve(this.config.file());
				// Written once, like the containers' files: after that it is Redis's.
				if (!Files.exists(file)) {
					Files.writeString(file, this.config.content());
				}
				List<String> command = new ArrayList<>(
						List.of(RedisWithSentinels.this.binary.getAbsolutePath(), file.toAbsolutePath().toString()));
				command.addAll(this.config.arguments());
				command.addAll(List.of("--dir", this.directory.toAbsolutePath().toString()));
				this.process = new ProcessBuilder(command).directory(this.directory.toFile())
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
					.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not start " + this.name, ex);
			}
		}

		Path log() {
			return this.directory.resolveSibling(this.name + ".log");
		}

		void stop() {
			if (this.process == null || !this.process.isAlive()) {
				return;
			}
			this.process.destroy();
			try {
				if (!this.process.waitFor(15, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}

	}

}
