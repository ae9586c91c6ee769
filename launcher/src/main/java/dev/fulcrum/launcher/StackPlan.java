package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * What {@code ./fulcrum up} starts, in start order: Redis (unless {@code REDIS_URL} names
 * one), Zipkin (with {@code --tracing}), auth-service, the API replicas, the workers, and
 * the gateway in front. This is the one place that knows the services, their ports and
 * their configuration; a new service or option is added here.
 * <p>
 * Default ports are those of docs/design.md (gateway 8080, auth 8081, api 8091...,
 * workers 8095...); management ports are the service port plus 1000. Replicas take the
 * next free number, so {@code --api 5} moves the workers up instead of colliding with
 * them.
 */
final class StackPlan {

	static final String REDIS = "redis";

	/** The trace server of {@code up --tracing}. */
	static final String ZIPKIN = "zipkin";

	private StackPlan() {
	}

	/**
	 * Whether a service is one of Fulcrum's own, run from its jar (with its AOT cache):
	 * not Redis, not the trace server.
	 * @param service the service
	 * @return whether it is
	 */
	static boolean isFulcrumService(String service) {
		return !service.equals(REDIS) && !service.equals(ZIPKIN);
	}

	/**
	 * Plans the stack.
	 * @param options the command line
	 * @param layout where things are on this machine
	 * @param externalRedis the Redis to use instead of starting one, or {@code null}
	 * @param redisUsers the users of the Redis started here (in
	 * {@code <home>/redis.conf}), each service its own; unused with {@code externalRedis}
	 * @param managementToken what state-changing management calls need
	 * @return the instances, in start order
	 */
	static List<Instance> plan(Options options, Layout layout, URI externalRedis, RedisUsers redisUsers,
			String managementToken) {
		Ports ports = new Ports(options);
		List<Instance> plan = new ArrayList<>();
		Function<String, URI> redisUrl = (service) -> externalRedis;
		if (externalRedis == null) {
			int port = ports.take(6379);
			redisUrl = (service) -> redisUsers.url(service, port);
			plan.add(new Instance(REDIS, REDIS, port, "redis://127.0.0.1:" + port,
					new HealthCheck.RedisPing("127.0.0.1", port), redisCommand(layout, port), Map.of(),
					layout.log(REDIS)));
		}
		// What changes state on a management port needs this token (switching the
		// balancing strategy, injecting faults). Every request is traced: the local
		// stack is where one request is followed; with --tracing the spans go to Zipkin.
		Map<String, String> management = new LinkedHashMap<>();
		management.put("MANAGEMENT_TOKEN", managementToken);
		if (System.getenv("MANAGEMENT_TRACING_SAMPLING_PROBABILITY") == null) {
			// Unless the user's own (inherited by every service) says otherwise.
			management.put("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "1.0");
		}
		if (options.tracing()) {
			int port = ports.take(9411);
			plan.add(new Instance(ZIPKIN, ZIPKIN, port, "http://localhost:" + port + "/zipkin/",
					new HealthCheck.Http("http://127.0.0.1:" + port + "/health"), zipkinCommand(layout, port),
					Map.of("STORAGE_TYPE", "mem", "MEM_MAX_SPANS", "200000"), layout.log(ZIPKIN)));
			management.put("MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT", "http://127.0.0.1:" + port + "/api/v2/spans");
		}
		List<Instance> auth = replicas(layout, ports, "auth-service", 8081, true, 1, redisUrl, management);
		// Verifiers fetch the public keys from the auth-service.
		Map<String, String> verifier = new LinkedHashMap<>(management);
		verifier.put("TOKEN_JWKS_URI", "http://127.0.0.1:" + auth.get(0).port() + "/.well-known/jwks.json");
		List<Instance> api = replicas(layout, ports, "api-service", 8091, true, options.apiReplicas(), redisUrl,
				verifier);
		List<Instance> workers = replicas(layout, ports, "worker-service", 8095, false, options.workerReplicas(),
				redisUrl, management);
		Map<String, String> upstreams = new LinkedHashMap<>(verifier);
		// The API replicas come and go (the supervisor restarts and scales them): the
		// gateway follows the file the launcher keeps of them.
		upstreams.put("API_SERVICE_FILE", UpstreamFile.of(layout.home(), "api-service").toString());
		upstreams.put("AUTH_SERVICE_URLS", urls(auth));
		if (options.balancing() != null) {
			upstreams.put("GATEWAY_LB_STRATEGY", options.balancing());
		}
		List<Instance> gateway = replicas(layout, ports, "gateway", 8080, true, 1, redisUrl, upstreams);
		plan.addAll(auth);
		plan.addAll(api);
		plan.addAll(workers);
		plan.addAll(gateway);
		return List.copyOf(plan);
	}

	private static List<Instance> replicas(Layout layout, Ports ports, String service, int basePort,
			boolean managementPort, int count, Function<String, URI> redisUrl, Map<String, String> extraEnvironment) {
		List<Instance> instances = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			String name = service + "-" + i;
			int port = ports.take(basePort);
			Map<String, String> environment = new LinkedHashMap<>();
			environment.put("INSTANCE_ID", name);
			environment.put("SERVER_PORT", String.valueOf(port));
			environment.put("SERVER_ADDRESS", "127.0.0.1");
			// Each service as its own Redis user (docker/redis-users.acl).
			environment.put("REDIS_URL", redisUrl.apply(service).toString());
			// The local profile: demo user, cookies without Secure (plain http). Never in
			// the jars: set from outside, as compose and Kubernetes set theirs.
			environment.put("SPRING_PROFILES_ACTIVE", "local");
			int healthPort = port;
			if (managementPort) {
				healthPort = ports.take(basePort + 1000);
				environment.put("MANAGEMENT_PORT", String.valueOf(healthPort));
				environment.put("MANAGEMENT_SERVER_ADDRESS", "127.0.0.1");
			}
			environment.putAll(extraEnvironment);
			HealthCheck health = new HealthCheck.Http("http://127.0.0.1:" + healthPort + "/actuator/health/readiness");
			instances.add(new Instance(name, service, port, "http://localhost:" + port, health,
					javaCommand(layout, service), environment, layout.log(name)));
		}
		return instances;
	}

	/**
	 * One more replica of a service, planned like another of its instances.
	 * @param template an instance of the service
	 * @param name the new instance's name ({@code api-service-3})
	 * @param port its port
	 * @param managementPort its management port, or 0 when the service has none
	 * @param log its log file
	 * @return the instance
	 */
	static Instance replica(Instance template, String name, int port, int managementPort, Path log) {
		Map<String, String> environment = new LinkedHashMap<>(template.environment());
		environment.put("INSTANCE_ID", name);
		environment.put("SERVER_PORT", String.valueOf(port));
		int healthPort = port;
		if (managementPort != 0) {
			environment.put("MANAGEMENT_PORT", String.valueOf(managementPort));
			healthPort = managementPort;
		}
		return new Instance(name, template.service(), port, "http://localhost:" + port,
				new HealthCheck.Http("http://127.0.0.1:" + healthPort + "/actuator/health/readiness"),
				template.command(), environment, log);
	}

	/**
	 * The supervisor: a small JVM that restarts what dies and, with {@code --autoscale},
	 * scales.
	 * @param layout where things are
	 * @return its instance
	 */
	static Instance supervisor(Layout layout) {
		List<String> command = List.of(layout.java(), "-Xms16m", "-Xmx48m", "-XX:+UseSerialGC",
				"-XX:TieredStopAtLevel=1", "-Dfulcrum.stack=" + layout.home(), "-jar",
				layout.root().resolve("launcher/target/launcher.jar").toString(), Supervisor.COMMAND,
				layout.home().toString());
		return new Instance(Supervisor.SERVICE, Supervisor.SERVICE, 0, "-",
				new HealthCheck.Heartbeat(layout.home().resolve(Supervisor.HEARTBEAT)), command, Map.of(),
				layout.log(Supervisor.SERVICE));
	}

	/**
	 * The same plan with each Java service's command made anew from the layout (after its
	 * AOT caches are known).
	 * @param plan the plan
	 * @param layout the layout
	 * @return the plan with new commands
	 */
	static List<Instance> withJavaCommands(List<Instance> plan, Layout layout) {
		return plan.stream()
			.map((instance) -> !isFulcrumService(instance.service()) ? instance
					: new Instance(instance.name(), instance.service(), instance.port(), instance.url(),
							instance.health(), javaCommand(layout, instance.service()), instance.environment(),
							instance.log()))
			.toList();
	}

	/**
	 * The same plan with every Java service recording its AOT cache as it exits
	 * ({@code -XX:AOTCacheOutput}) instead of starting from it: a training run.
	 * @param plan a plan whose layout has a cache folder for each service
	 * @return the plan, recording
	 */
	static List<Instance> recordingAotCaches(List<Instance> plan) {
		return plan.stream()
			.map((instance) -> new Instance(instance.name(), instance.service(), instance.port(), instance.url(),
					instance.health(),
					instance.command()
						.stream()
						.map((word) -> word.startsWith("-XX:AOTCache=")
								? "-XX:AOTCacheOutput=" + word.substring("-XX:AOTCache=".length()) : word)
						.toList(),
					instance.environment(), instance.log()))
			.toList();
	}

	private static List<String> javaCommand(Layout layout, String service) {
		List<String> command = new ArrayList<>();
		command.add(layout.java());
		command.addAll(layout.javaOptions());
		// Marks every process of this stack, so that tests can prove none is left behind.
		command.add("-Dfulcrum.stack=" + layout.home());
		Path aot = layout.aotCaches().get(service);
		if (aot != null) {
			command.add("-XX:AOTCache=" + AotCache.cache(aot, service));
			command.add("-jar");
			command.add(AotCache.jar(aot, service).toString());
		}
		else {
			command.add("-jar");
			command.add(layout.jar(service).toString());
		}
		return command;
	}

	/**
	 * Zipkin's server, keeping spans in memory (the 200,000 newest), on loopback only, in
	 * a small heap: a trace server to look at, not to keep.
	 */
	private static List<String> zipkinCommand(Layout layout, int port) {
		return List.of(layout.java(), "-Xms32m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
				"-Dfulcrum.stack=" + layout.home(), "-jar", layout.zipkinJar().toString(),
				"--armeria.ports[0].port=" + port, "--armeria.ports[0].ip=127.0.0.1",
				"--armeria.ports[0].protocols[0]=http");
	}

	private static List<String> redisCommand(Layout layout, int port) {
		// The config file (first, as redis-server wants it) holds only the password.
		return List.of(layout.home().resolve("bin/redis-server").toString(),
				layout.home().resolve("redis.conf").toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir",
				layout.home().resolve("redis").toString());
	}

	private static String urls(List<Instance> instances) {
		return instances.stream()
			.map((instance) -> "http://127.0.0.1:" + instance.port())
			.collect(Collectors.joining(","));
	}

	/**
	 * Where things are on this machine.
	 *
	 * @param root the repository root, holding each service's
	 * {@code target/<service>.jar}
	 * @param home the state folder
	 * @param java the {@code java} executable (21 or newer) for the services
	 * @param javaOptions JVM options for every service
	 * @param aotCaches the folder of each service's AOT cache and extracted jar
	 * ({@link AotCache}); a service missing runs from its plain jar
	 */
	record Layout(Path root, Path home, String java, List<String> javaOptions, Map<String, Path> aotCaches) {

		Layout {
			aotCaches = Map.copyOf(aotCaches);
		}

		Layout withAotCaches(Map<String, Path> caches) {
			return new Layout(this.root, this.home, this.java, this.javaOptions, caches);
		}

		Path jar(String service) {
			return this.root.resolve(service).resolve("target").resolve(service + ".jar");
		}

		Path zipkinJar() {
			return this.root.resolve("launcher/target/zipkin/zipkin-server.jar");
		}

		Path log(String instance) {
			return this.home.resolve("logs").resolve(instance + ".log");
		}

	}

	/**
	 * Hands out ports: the defaults plus an offset, or free ones; never the same one
	 * twice.
	 */
	private static final class Ports {

		private final Options options;

		private final Set<Integer> taken = new HashSet<>();

		Ports(Options options) {
			this.options = options;
		}

		int take(int preferred) {
			int port = this.options.freePorts() ? freePort() : preferred + this.options.portOffset();
			while (this.taken.contains(port)) {
				port = this.options.freePorts() ? freePort() : port + 1;
			}
			this.taken.add(port);
			return port;
		}

		/**
		 * A free port below the ephemeral range (32768 and up on Linux), so that no
		 * outgoing connection takes it as its source port between this check and the
		 * service's bind.
		 */
		private static int freePort() {
			RandomGenerator random = ThreadLocalRandom.current();
			for (int attempt = 0; attempt < 200; attempt++) {
				int candidate = 20_000 + random.nextInt(12_000);
				try (ServerSocket socket = new ServerSocket()) {
					socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate));
					return candidate;
				}
				catch (IOException ex) {
					// taken: try another
				}
			}
			throw new UncheckedIOException(new IOException("no free port between 20000 and 32000"));
		}

	}

}
