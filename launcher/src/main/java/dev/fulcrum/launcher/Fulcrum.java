package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import dev.fulcrum.launcher.StackState.Running;

/**
 * {@code ./fulcrum up | down | status | logs}: the local stack without Docker.
 * <p>
 * The {@code fulcrum} script finds a JDK 21+, builds what is missing and runs this class
 * with {@code -Dfulcrum.root=<repository>}. Exit codes: 0 done, 1 failed, 2 wrong input.
 */
public final class Fulcrum {

	/**
	 * Sized for six JVMs on a small machine, with C2: from an AOT cache trained under
	 * load the warm stack serves 37-150 % more than with C1 alone, and is at full speed
	 * sooner (docs/benchmarks.md, "C2 from a cache trained under load"). The same with
	 * {@code -XX:TieredStopAtLevel=1} (C1 alone, the default before) starts faster and
	 * trains in under half the time.
	 */
	static final String DEFAULT_JAVA_OPTIONS = "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";

	private static final String USAGE = """
			Usage: ./fulcrum <command> [options]

			  up       start Redis, auth-service, api-service, worker-service, the gateway, and a
			           supervisor that restarts what dies
			           --api N            api-service replicas (default 2; 1 on fewer than 4 cores)
			           --workers N        worker-service replicas (default 2; 1 on fewer than 4 cores)
			           --autoscale        scale the api-service on CPU and the workers on the queue's lag,
			                              as a Kubernetes HPA would (docs/scaling.md)
			           --max-api N        with --autoscale: the most api-service replicas (default 4)
			           --max-workers N    with --autoscale: the most worker-service replicas (default 4)
			           --port-offset N    add N to every default port (run a second stack beside the first)
			           --free-ports       use any free ports (the table shows which)
			           --lb STRATEGY      the gateway's balancing: round-robin (default), random, weighted,
			                              ip-hash, cookie-sticky, least-connections, latency
			           --tracing          start a trace server (Zipkin, at http://localhost:9411/zipkin/)
			                              and send it every request's spans (docs/tracing.md)
			           --timeout SECONDS  how long to wait for every instance to be healthy (default 180)
			           --build            rebuild the jars first (./mvnw -DskipTests package)
			  down     stop everything the last 'up' started
			  status   show what runs, whether it is healthy (exit 0 only if all are), the replicas and the
			           supervisor's last decisions
			  logs [SERVICE|INSTANCE] [--no-follow]
			           follow the logs of all instances, of one service, or of one instance
			  autoscale-compose PROJECT [--max-api N] [--max-workers N]
			           scale a running compose project's api-service and worker-service as 'up
			           --autoscale' does, through the Docker API, until Ctrl-C (docs/scaling.md);
			           GATEWAY_MANAGEMENT_PORT (9080) and MANAGEMENT_TOKEN as the project has them
			  help     show this text

			Every command takes --home DIR: the state folder (default .fulcrum, or FULCRUM_HOME).
			REDIS_URL=redis://host:port uses that Redis instead of starting the embedded one.
			FULCRUM_JAVA_OPTS sets the JVM options of the services (default: %s;
			add -XX:TieredStopAtLevel=1 for C1 alone: a quicker start, less speed).
			On JDK 25+ the services start from AOT caches, trained at the first 'up' after a build;
			FULCRUM_AOT_CACHE=off starts them without. With C2 (the default) the training runs the mix
			on a private stack for FULCRUM_AOT_TRAINING_SECONDS (30), so that C2 starts with the
			profiles of the request paths; FULCRUM_AOT_TRAINING=refresh|load chooses.
			""".formatted(DEFAULT_JAVA_OPTIONS);

	private final Path root;

	/** In the state folder: the management token of the running stack. */
	static final String MANAGEMENT_TOKEN_FILE = "management-token";

	private final Map<String, String> environment;

	private final PrintStream out;

	private final PrintStream err;

	Fulcrum(Path root, Map<String, String> environment, PrintStream out, PrintStream err) {
		this.root = root;
		this.environment = environment;
		this.out = out;
		this.err = err;
	}

	public static void main(String[] args) {
		if (args.length == 2 && args[0].equals(Supervisor.COMMAND)) {
			// Not for users: how up starts the supervisor, from the same jar.
			Supervisor.main(new String[] { args[1] });
			return;
		}
		Path root = Path.of(System.getProperty("fulcrum.root", "")).toAbsolutePath().normalize();
		int exitCode = new Fulcrum(root, System.getenv(), System.out, System.err).run(List.of(args));
		System.exit(exitCode);
	}

	/**
	 * Runs one command.
	 * @param args the command line
	 * @return the exit code
	 */
	int run(List<String> args) {
		try {
			Path defaultHome = Path
				.of(this.environment.getOrDefault("FULCRUM_HOME", this.root.resolve(".fulcrum").toString()));
			Options options = Options.parse(args, defaultHome);
			return switch (options.command()) {
				case "up" -> up(options);
				case "down" -> down(options);
				case "status" -> status(options);
				case "logs" -> logs(options);
				case "autoscale-compose" -> autoscaleCompose(options);
				default -> {
					this.out.print(USAGE);
					yield 0;
				}
			};
		}
		catch (LauncherException ex) {
			this.err.println("fulcrum: " + ex.getMessage());
			return ex.exitCode();
		}
		catch (RuntimeException ex) {
			this.err.println("fulcrum: unexpected error: " + ex);
			return 1;
		}
	}

	private int autoscaleCompose(Options options) {
		Autoscaling autoscaling = Autoscaling.of(options, this.environment);
		URI management = URI
			.create("http://127.0.0.1:" + this.environment.getOrDefault("GATEWAY_MANAGEMENT_PORT", "9080"));
		// Compose's own demo default when the project was started without a token.
		String token = this.environment.getOrDefault("MANAGEMENT_TOKEN", "local-demo-only");
		ComposeAutoscaler autoscaler = new ComposeAutoscaler(DockerApi.of(this.environment), options.logsOf(),
				management, token, autoscaling, this.out);
		try {
			autoscaler.run();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return 0;
	}

	private int up(Options options) {
		long started = System.nanoTime();
		List<Running> previous = StackState.read(options.home());
		long live = previous.stream().filter((running) -> running.process().isPresent()).count();
		if (live > 0) {
			throw LauncherException.failure("a stack is already running from " + Stack.relative(options.home()) + " ("
					+ live + " processes); see ./fulcrum status, stop it with ./fulcrum down");
		}
		StackState.clear(options.home());
		createPrivately(options.home());
		URI externalRedis = externalRedis();
		StackPlan.Layout layout = new StackPlan.Layout(this.root, options.home(), javaExecutable(), javaOptions(),
				Map.of());
		RedisUsers redisUsers = RedisUsers.generate();
		String managementToken = this.environment.getOrDefault("MANAGEMENT_TOKEN", RedisBinary.newPassword());
		List<Instance> plan = StackPlan.plan(options, layout, externalRedis, redisUsers, managementToken);
		Autoscaling autoscaling = Autoscaling.of(options, this.environment);
		Stack.checkPortsFree(plan);
		if (!Files.exists(layout.root().resolve("launcher/target/launcher.jar"))) {
			throw LauncherException.failure("missing launcher/target/launcher.jar (the supervisor runs from it); build"
					+ " it with ./mvnw -DskipTests package");
		}
		for (Instance instance : plan) {
			if (instance.service().equals(StackPlan.ZIPKIN) && !Files.exists(layout.zipkinJar())) {
				throw LauncherException.failure("missing " + Stack.relative(layout.zipkinJar())
						+ "; build it with ./mvnw -DskipTests package (./fulcrum up --build does it)");
			}
			if (StackPlan.isFulcrumService(instance.service()) && !Files.exists(layout.jar(instance.service()))) {
				throw LauncherException.failure("missing " + Stack.relative(layout.jar(instance.service()))
						+ "; build it with ./mvnw -DskipTests package (./fulcrum up --build does it)");
			}
		}
		List<String> services = plan.stream()
			.map(Instance::service)
			.filter(StackPlan::isFulcrumService)
			.distinct()
			.toList();
		long training = 0;
		if (aotCache()) {
			long before = System.nanoTime();
			AotCache.Training how = AotCache.Training.of(layout.javaOptions(),
					this.environment.get("FULCRUM_AOT_TRAINING"));
			layout = layout
				.withAotCaches(AotCache.prepare(layout, services, how, trainingWorkload(this.environment), this.out));
			plan = StackPlan.withJavaCommands(plan, layout);
			// Once per build: not part of how long the stack takes to start.
			training = System.nanoTime() - before;
		}
		if (externalRedis != null && externalRedis.getScheme().equals("redis")) {
			// A plain-text PING; a rediss:// (TLS) server is left to the services to
			// check.
			HealthCheck.RedisPing redis = HealthCheck.RedisPing.of(externalRedis);
			if (!redis.isHealthy()) {
				throw LauncherException.failure("Redis at REDIS_URL (" + redis.target() + ") does not answer PING");
			}
		}
		else {
			RedisBinary.install(options.home());
			RedisBinary.writeConfig(options.home(), redisUsers.admin(), redisUsers.directives(this.root));
		}
		UpstreamFile.write(UpstreamFile.of(options.home(), Autoscaling.API),
				plan.stream()
					.filter((instance) -> instance.service().equals(Autoscaling.API))
					.map((instance) -> "http://127.0.0.1:" + instance.port())
					.toList(),
				java.util.Set.of());
		PlanFile.write(options.home(), new PlanFile.Plan(plan, autoscaling, adminRedis(plan, externalRedis, redisUsers),
				"http://127.0.0.1:" + plan.getLast().environment().get("MANAGEMENT_PORT")));
		int cores = Runtime.getRuntime().availableProcessors();
		if (Options.defaultReplicas(cores) == 1 && options.apiReplicas() == 1 && options.workerReplicas() == 1
				&& !options.autoscale()) {
			this.out.printf("One api-service and one worker-service: this machine has %d core%s, where a second "
					+ "replica costs more than it brings (docs/benchmarks.md); --api 2 --workers 2 to watch the "
					+ "balancing.%n", cores, (cores == 1) ? "" : "s");
		}
		this.out.printf("Starting %d processes (logs in %s) ...%n", plan.size(),
				Stack.relative(options.home().resolve("logs")));
		Stack stack = new Stack(options.home(), this.out, this.err);
		List<Running> running = stack.up(plan, options.startTimeout());
		running = stack.startSupervisor(StackPlan.supervisor(layout), running);
		this.out.printf("%nFulcrum is up in %.1fs:%n%n", (System.nanoTime() - started - training) / 1e9);
		printTable(running, null);
		String gateway = running.stream().filter((r) -> r.service().equals("gateway")).findFirst().orElseThrow().url();
		RedisBinary.writePrivately(options.home().resolve(MANAGEMENT_TOKEN_FILE), managementToken + "\n");
		this.out.printf(
				"%nManagement token (POST and DELETE on the management ports need it, for example to switch"
						+ " the balancing strategy):%n  Authorization: Bearer %s%n  (also in %s)%n",
				managementToken, Stack.relative(options.home().resolve(MANAGEMENT_TOKEN_FILE)));
		this.out.printf("%nTry:  curl -i %s/api/hello%n", gateway);
		running.stream()
			.filter((r) -> r.service().equals("gateway"))
			.findFirst()
			.map((r) -> r.health().target().replace("/actuator/health/readiness", "/dashboard/"))
			.ifPresent((dashboard) -> this.out.printf(
					"Live: %s (balancing, instances, queue; the token above" + " switches strategies)%n",
					dashboard.replace("127.0.0.1", "localhost")));
		running.stream()
			.filter((r) -> r.service().equals(StackPlan.ZIPKIN))
			.findFirst()
			.ifPresent((zipkin) -> this.out.printf(
					"Traces: %s (a request's trace id is the second field of its" + " traceresponse header)%n",
					zipkin.url()));
		this.out.printf("Stop: ./fulcrum down%n");
		return 0;
	}

	private int down(Options options) {
		List<Running> running = StackState.read(options.home());
		if (running.isEmpty()) {
			this.out.println("fulcrum: nothing is running from " + Stack.relative(options.home()));
			return 0;
		}
		// The supervisor first, then the table again: it may have started or stopped
		// instances since the first read.
		int stopped = Stack.stop(running.stream().filter((r) -> r.service().equals(Supervisor.SERVICE)).toList())
			.size();
		running = StackState.read(options.home());
		stopped += Stack.stop(running).size();
		List<Running> survivors = running.stream().filter((r) -> r.process().isPresent()).toList();
		if (!survivors.isEmpty()) {
			StackState.write(options.home(), survivors);
			throw LauncherException
				.failure("could not stop " + survivors.stream().map((r) -> r.name() + " (pid " + r.pid() + ")").toList()
						+ "; are they owned by another user?");
		}
		StackState.clear(options.home());
		this.out.println("Stopped " + stopped + " process(es).");
		return 0;
	}

	private int status(Options options) {
		List<Running> running = StackState.read(options.home());
		if (running.isEmpty()) {
			this.out.println("fulcrum: nothing is running from " + Stack.relative(options.home()));
			return 1;
		}
		List<CompletableFuture<String>> health = running.stream()
			.map((r) -> CompletableFuture
				.supplyAsync(() -> r.process().isEmpty() ? "GONE" : r.health().isHealthy() ? "UP" : "DOWN"))
			.toList();
		List<String> states = health.stream().map(CompletableFuture::join).toList();
		printTable(running, states);
		printScaling(options.home(), running);
		return states.stream().allMatch("UP"::equals) ? 0 : 1;
	}

	/** The replicas of each service, and what the supervisor measured and decided. */
	private void printScaling(Path home, List<Running> running) {
		Map<String, Long> replicas = new java.util.LinkedHashMap<>();
		running.forEach((r) -> replicas.merge(r.service(), 1L, Long::sum));
		replicas.remove(Supervisor.SERVICE);
		this.out.printf("%nReplicas: %s%n", String.join(", ",
				replicas.entrySet().stream().map((entry) -> entry.getKey() + " " + entry.getValue()).toList()));
		java.util.Properties status = new java.util.Properties();
		try (var reader = Files.newBufferedReader(home.resolve(Supervisor.STATUS))) {
			status.load(reader);
		}
		catch (IOException ex) {
			return;
		}
		this.out.println("Autoscaling: " + status.getProperty("autoscale", "?"));
		for (String service : Autoscaling.SERVICES) {
			String measured = status.getProperty(service + ".measured");
			if (measured != null) {
				this.out.printf("  %-15s %s%n", service, measured);
			}
		}
		if (status.containsKey("decision.0")) {
			this.out.println("Last scaling decisions (newest first; all in " + Stack.relative(home.resolve("logs"))
					+ "/supervisor.log):");
			for (int i = 0; status.containsKey("decision." + i); i++) {
				this.out.println("  " + status.getProperty("decision." + i));
			}
		}
	}

	/**
	 * The administrator's URL of the stack's Redis: the supervisor reads the queue's lag.
	 */
	private static URI adminRedis(List<Instance> plan, URI externalRedis, RedisUsers users) {
		if (externalRedis != null) {
			return externalRedis;
		}
		Instance redis = plan.stream().filter((i) -> i.service().equals(StackPlan.REDIS)).findFirst().orElseThrow();
		return URI.create("redis://:" + users.admin() + "@127.0.0.1:" + redis.port());
	}

	private int logs(Options options) {
		List<Path> files = new ArrayList<>();
		List<String> names = new ArrayList<>();
		Path logs = options.home().resolve("logs");
		try (var listing = Files.exists(logs) ? Files.list(logs) : Stream.<Path>empty()) {
			listing.filter((file) -> file.toString().endsWith(".log")).sorted().forEach((file) -> {
				String instance = file.getFileName().toString().replaceFirst("\\.log$", "");
				names.add(instance);
				String service = instance.replaceFirst("-\\d+$", "");
				if (options.logsOf() == null || options.logsOf().equals(instance) || options.logsOf().equals(service)) {
					files.add(file);
				}
			});
		}
		catch (IOException ex) {
			throw LauncherException.failure("cannot list " + logs + ": " + ex.getMessage());
		}
		if (files.isEmpty()) {
			throw (options.logsOf() == null) ? LauncherException.failure("no logs in " + Stack.relative(logs))
					: LauncherException
						.usage("no logs for '" + options.logsOf() + "'; known: " + String.join(", ", names));
		}
		List<String> command = new ArrayList<>(List.of("tail", "-n", "40"));
		if (options.follow()) {
			command.add("-F");
		}
		files.forEach((file) -> command.add(file.toString()));
		try {
			return new ProcessBuilder(command).inheritIO().start().waitFor();
		}
		catch (IOException ex) {
			throw LauncherException.failure("cannot run tail: " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 130;
		}
	}

	private void printTable(List<Running> running, List<String> states) {
		List<String[]> rows = new ArrayList<>();
		rows.add((states != null) ? new String[] { "SERVICE", "INSTANCE", "URL", "PID", "HEALTH", "LOG" }
				: new String[] { "SERVICE", "INSTANCE", "URL", "PID", "LOG" });
		for (int i = 0; i < running.size(); i++) {
			Running r = running.get(i);
			List<String> row = new ArrayList<>(List.of(r.service(), r.name(), r.url(), String.valueOf(r.pid())));
			if (states != null) {
				row.add(states.get(i));
			}
			row.add(Stack.relative(r.log()));
			rows.add(row.toArray(String[]::new));
		}
		int[] widths = new int[rows.getFirst().length];
		rows.forEach((row) -> Arrays.setAll(widths, (c) -> Math.max(widths[c], row[c].length())));
		for (String[] row : rows) {
			StringBuilder line = new StringBuilder();
			for (int c = 0; c < row.length; c++) {
				line.append((c < row.length - 1) ? String.format("%-" + (widths[c] + 2) + "s", row[c]) : row[c]);
			}
			this.out.println(line);
		}
	}

	private URI externalRedis() {
		String url = this.environment.get("REDIS_URL");
		if (url == null || url.isBlank()) {
			return null;
		}
		try {
			URI uri = URI.create(url.strip());
			if (!List.of("redis", "rediss").contains(uri.getScheme()) || uri.getHost() == null) {
				throw new IllegalArgumentException("not a redis:// URL");
			}
			return uri;
		}
		catch (IllegalArgumentException ex) {
			// Never echo a password.
			throw LauncherException
				.usage("REDIS_URL '" + url.replaceFirst("//[^@/]*@", "//***@") + "' is not a redis://host:port URL");
		}
	}

	/**
	 * The state folder holds logs and the process table: readable by its owner only.
	 */
	private static void createPrivately(Path home) {
		if (Files.exists(home)) {
			return;
		}
		try {
			Files.createDirectories(home);
			Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
		}
		catch (UnsupportedOperationException ex) {
			// not a POSIX file system: default permissions
		}
		catch (IOException ex) {
			throw LauncherException.failure("cannot create " + home + ": " + ex.getMessage());
		}
	}

	private static String javaExecutable() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	/**
	 * Whether the services start with their AOT caches: on a JDK that has them (25+),
	 * unless FULCRUM_AOT_CACHE=off.
	 */
	private boolean aotCache() {
		return AotCache.supported() && !"off".equals(this.environment.get("FULCRUM_AOT_CACHE"));
	}

	/**
	 * How long training under load runs the mix: FULCRUM_AOT_TRAINING_SECONDS, 1 to 3600.
	 * @param environment the launcher's environment
	 * @return the duration
	 */
	static Duration trainingWorkload(Map<String, String> environment) {
		String seconds = environment.get("FULCRUM_AOT_TRAINING_SECONDS");
		if (seconds == null || seconds.isBlank()) {
			return LoadTraining.WORKLOAD;
		}
		try {
			long value = Long.parseLong(seconds.strip());
			if (value >= 1 && value <= 3600) {
				return Duration.ofSeconds(value);
			}
		}
		catch (NumberFormatException ex) {
			// refused below
		}
		throw LauncherException
			.usage("FULCRUM_AOT_TRAINING_SECONDS is a number of seconds from 1 to 3600, not '" + seconds + "'");
	}

	private List<String> javaOptions() {
		String options = this.environment.getOrDefault("FULCRUM_JAVA_OPTS", DEFAULT_JAVA_OPTIONS);
		return Arrays.stream(options.trim().split("\\s+")).filter((option) -> !option.isEmpty()).toList();
	}

}
