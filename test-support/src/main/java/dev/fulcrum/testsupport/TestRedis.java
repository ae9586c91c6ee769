package dev.fulcrum.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import redis.embedded.RedisServer;

/**
 * The one Redis 7 of this test JVM. It is started on first use and stopped when the JVM
 * exits.
 * <p>
 * Which kind runs is decided once: {@code FULCRUM_TEST_REDIS} (environment variable or
 * system property) may force {@code testcontainers} or {@code embedded}; by default
 * Testcontainers is used when a Docker engine answers, else the embedded binary on a free
 * port.
 */
public final class TestRedis {

	/**
	 * The image used where Docker runs; the same major version as the embedded binary.
	 */
	public static final DockerImageName IMAGE = DockerImageName.parse("redis:7.4-alpine");

	private static final Logger logger = LoggerFactory.getLogger(TestRedis.class);

	private static Kind kind;

	private static GenericContainer<?> container;

	private static Endpoint endpoint;

	private TestRedis() {
	}

	/**
	 * Starts this JVM's Redis if it is not running yet.
	 * @return where it listens
	 */
	public static synchronized Endpoint start() {
		if (endpoint == null) {
			endpoint = (kind() == Kind.TESTCONTAINERS) ? startContainer() : startEmbedded();
			logger.info("Test Redis ({}) listens on {}", kind(), endpoint.url());
		}
		return endpoint;
	}

	/**
	 * Tells which kind of Redis this JVM uses, deciding it on first call.
	 * @return the kind
	 */
	public static synchronized Kind kind() {
		if (kind == null) {
			kind = decide();
		}
		return kind;
	}

	/**
	 * The started container, for {@code @ServiceConnection}; only when {@link #kind()} is
	 * {@link Kind#TESTCONTAINERS}.
	 * @return the running container
	 */
	static synchronized GenericContainer<?> container() {
		start();
		if (container == null) {
			throw new IllegalStateException("Test Redis is " + kind() + ", not a container");
		}
		return container;
	}

	private static Kind decide() {
		String forced = System.getProperty("FULCRUM_TEST_REDIS", System.getenv("FULCRUM_TEST_REDIS"));
		if (forced != null && !forced.isBlank() && !forced.equalsIgnoreCase("auto")) {
			return Kind.valueOf(forced.strip().toUpperCase(Locale.ROOT));
		}
		return dockerAvailable() ? Kind.TESTCONTAINERS : Kind.EMBEDDED;
	}

	private static boolean dockerAvailable() {
		if (!mayHaveDocker()) {
			// Asking Testcontainers would only log a page of errors before saying no.
			return false;
		}
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	/**
	 * A cheap first look: is any Docker endpoint configured or any usual socket present?
	 */
	private static boolean mayHaveDocker() {
		if (System.getenv("DOCKER_HOST") != null) {
			return true;
		}
		String home = System.getProperty("user.home");
		String runtime = System.getenv("XDG_RUNTIME_DIR");
		List<Path> places = new ArrayList<>(
				List.of(Path.of("/var/run/docker.sock"), Path.of(home, ".testcontainers.properties"),
						Path.of(home, ".docker/run/docker.sock"), Path.of(home, ".docker/desktop/docker.sock"),
						Path.of(home, ".colima/default/docker.sock"), Path.of(home, ".rd/docker.sock")));
		if (runtime != null) {
			places.add(Path.of(runtime, "docker.sock"));
			places.add(Path.of(runtime, "podman/podman.sock"));
		}
		return places.stream().anyMatch(Files::exists);
	}

	private static Endpoint startContainer() {
		GenericContainer<?> redis = new GenericContainer<>(IMAGE).withExposedPorts(6379);
		redis.start();
		container = redis;
		// Testcontainers' reaper removes it too if the JVM dies before the hook runs.
		Runtime.getRuntime().addShutdownHook(new Thread(redis::stop, "test-redis-stop"));
		return new Endpoint(redis.getHost(), redis.getMappedPort(6379));
	}

	private static Endpoint startEmbedded() {
		RuntimeException last = null;
		// A free port can be taken by someone else between the check and the bind: try
		// again.
		for (int attempt = 0; attempt < 3; attempt++) {
			int port = freePort();
			RedisServer server = RedisServer.builder()
				.port(port)
				.bind("127.0.0.1")
				.setting("save \"\"")
				.setting("appendonly no")
				.setting("maxmemory-policy noeviction")
				.build();
			try {
				server.start();
				Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-redis-stop"));
				return new Endpoint("127.0.0.1", port);
			}
			catch (RuntimeException ex) {
				last = ex;
			}
		}
		throw new IllegalStateException("Could not start the embedded Redis", last);
	}

	/** A free port on this machine, for a Redis of the tests to listen on. */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free port for the embedded Redis", ex);
		}
	}

	/** Which Redis runs. */
	public enum Kind {

		/** A {@code redis:7} container started by Testcontainers. */
		TESTCONTAINERS,

		/** The Redis 7 binary shipped in {@code org.signal:embedded-redis}. */
		EMBEDDED

	}

	/**
	 * Where the test Redis listens.
	 *
	 * @param host the host name or address
	 * @param port the port
	 */
	public record Endpoint(String host, int port) {

		/**
		 * The endpoint as a URL.
		 * @return {@code redis://host:port}
		 */
		public String url() {
			return "redis://" + this.host + ":" + this.port;
		}

	}

}
