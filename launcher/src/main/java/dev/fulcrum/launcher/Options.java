package dev.fulcrum.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line. Each command accepts only its own options; anything else is a
 * usage error naming the offending word.
 *
 * @param command {@code up}, {@code down}, {@code status}, {@code logs} or {@code help}
 * @param home the state folder (logs, pid table, Redis data)
 * @param apiReplicas how many api-service instances
 * @param workerReplicas how many worker-service instances
 * @param portOffset added to every default port
 * @param freePorts pick free ports instead of the defaults
 * @param startTimeout how long {@code up} waits for every instance to become healthy
 * @param follow whether {@code logs} keeps following
 * @param logsOf the service or instance whose logs to show, or {@code null} for all; for
 * {@code autoscale-compose}, the compose project
 * @param balancing the gateway's balancing strategy, or {@code null} for its default
 * @param autoscale whether the supervisor scales the api-service and the workers
 * @param maxApi with {@code autoscale}: the most api-service instances
 * @param maxWorkers with {@code autoscale}: the most worker-service instances
 * @param tracing whether {@code up} starts a trace server (Zipkin) and sends it every
 * span
 */
record Options(String command, Path home, int apiReplicas, int workerReplicas, int portOffset, boolean freePorts,
		Duration startTimeout, boolean follow, String logsOf, String balancing, boolean autoscale, int maxApi,
		int maxWorkers, boolean tracing) {

	static final int MAX_REPLICAS = 20;

	/**
	 * The gateway's strategies (its {@code Strategies.NAMES}), checked before anything
	 * starts.
	 */
	static final List<String> STRATEGIES = List.of("round-robin", "random", "weighted", "ip-hash", "cookie-sticky",
			"least-connections", "latency");

	private static final Map<String, Set<String>> OPTIONS = Map.of("up",
			Set.of("--api", "--workers", "--port-offset", "--free-ports", "--timeout", "--home", "--lb", "--autoscale",
					"--max-api", "--max-workers", "--tracing"),
			"down", Set.of("--home"), "status", Set.of("--home"), "logs", Set.of("--home", "--no-follow"),
			"autoscale-compose", Set.of("--home", "--max-api", "--max-workers"), "help", Set.of("--home"));

	/** From this many cores on, {@code up} starts two replicas of each scaled service. */
	static final int CORES_FOR_TWO_REPLICAS = 4;

	/**
	 * How many api-service and worker-service replicas {@code up} starts unless
	 * {@code --api} and {@code --workers} say: two where the machine has
	 * {@value #CORES_FOR_TWO_REPLICAS} cores or more, so that balancing shows at once;
	 * one on fewer, where a second replica on the same cores adds a JVM's own work (its
	 * compiler, collector and timers), not capacity: on two cores one of each served
	 * 11-41 % more at saturation and was at full speed 40 s sooner (docs/benchmarks.md,
	 * "Replicas on two cores").
	 * @param cores the processors the JVM sees
	 * @return the default replicas
	 */
	static int defaultReplicas(int cores) {
		return (cores >= CORES_FOR_TWO_REPLICAS) ? 2 : 1;
	}

	/**
	 * Parses the arguments, with the default replicas of this machine.
	 * @param args the command line, command first
	 * @param defaultHome the state folder unless {@code --home} says otherwise
	 * @return the options
	 * @throws LauncherException for an unknown command or option or a bad value
	 */
	static Options parse(List<String> args, Path defaultHome) {
		return parse(args, defaultHome, defaultReplicas(Runtime.getRuntime().availableProcessors()));
	}

	/**
	 * Parses the arguments.
	 * @param args the command line, command first
	 * @param defaultHome the state folder unless {@code --home} says otherwise
	 * @param defaultReplicas the api-service and worker-service replicas unless
	 * {@code --api} and {@code --workers} say
	 * @return the options
	 * @throws LauncherException for an unknown command or option or a bad value
	 */
	static Options parse(List<String> args, Path defaultHome, int defaultReplicas) {
		String command = args.isEmpty() ? "help" : args.getFirst();
		if (Set.of("-h", "--help").contains(command)) {
			command = "help";
		}
		Set<String> allowed = OPTIONS.get(command);
		if (allowed == null) {
			throw LauncherException.usage("unknown command '" + command + "'");
		}
		Path home = defaultHome;
		int api = defaultReplicas;
		int workers = defaultReplicas;
		int offset = 0;
		boolean free = false;
		Duration timeout = Duration.ofSeconds(180);
		boolean follow = true;
		String logsOf = null;
		String balancing = null;
		boolean autoscale = command.equals("autoscale-compose");
		boolean tracing = false;
		Integer maxApi = null;
		Integer maxWorkers = null;
		for (int i = 1; i < args.size(); i++) {
			String word = args.get(i);
			if (!word.startsWith("-")) {
				if (!Set.of("logs", "autoscale-compose").contains(command) || logsOf != null) {
					throw LauncherException.usage("unexpected argument '" + word + "' for " + command);
				}
				logsOf = word;
				continue;
			}
			String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
			if (!allowed.contains(name)) {
				throw LauncherException.usage("unknown option '" + name + "' for " + command);
			}
			switch (name) {
				case "--free-ports" -> free = true;
				case "--autoscale" -> autoscale = true;
				case "--tracing" -> tracing = true;
				case "--no-follow" -> follow = false;
				default -> {
					String value;
					if (word.contains("=")) {
						value = word.substring(word.indexOf('=') + 1);
					}
					else if (i + 1 < args.size()) {
						value = args.get(++i);
					}
					else {
						throw LauncherException.usage("option " + name + " needs a value");
					}
					switch (name) {
						case "--api" -> api = integer(name, value, 1, MAX_REPLICAS);
						case "--workers" -> workers = integer(name, value, 1, MAX_REPLICAS);
						case "--port-offset" -> offset = integer(name, value, 0, 55_000);
						case "--timeout" -> timeout = Duration.ofSeconds(integer(name, value, 5, 3600));
						case "--home" -> home = Path.of(value);
						case "--lb" -> balancing = strategy(value);
						case "--max-api" -> maxApi = integer(name, value, 1, MAX_REPLICAS);
						case "--max-workers" -> maxWorkers = integer(name, value, 1, MAX_REPLICAS);
						default -> throw new IllegalStateException(name);
					}
				}
			}
		}
		if (command.equals("autoscale-compose") && logsOf == null) {
			throw LauncherException.usage("autoscale-compose needs the compose project's name");
		}
		if (free && offset != 0) {
			throw LauncherException.usage("--free-ports and --port-offset exclude each other");
		}
		if (!autoscale && (maxApi != null || maxWorkers != null)) {
			throw LauncherException.usage("--max-api and --max-workers go with --autoscale");
		}
		if (command.equals("autoscale-compose")) {
			// It starts nothing: the floors are the autoscaler's minimum, one each.
			api = 1;
			workers = 1;
		}
		int mostApi = (maxApi != null) ? maxApi : Math.max(4, api);
		int mostWorkers = (maxWorkers != null) ? maxWorkers : Math.max(4, workers);
		if (mostApi < api || mostWorkers < workers) {
			throw LauncherException.usage("--max-api and --max-workers cannot be below --api and --workers");
		}
		return new Options(command, home.toAbsolutePath().normalize(), api, workers, offset, free, timeout, follow,
				logsOf, balancing, autoscale, mostApi, mostWorkers, tracing);
	}

	private static String strategy(String value) {
		if (!STRATEGIES.contains(value)) {
			throw LauncherException
				.usage("--lb takes one of " + String.join(", ", STRATEGIES) + ", not '" + value + "'");
		}
		return value;
	}

	private static int integer(String option, String value, int min, int max) {
		try {
			int number = Integer.parseInt(value);
			if (number >= min && number <= max) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw LauncherException
			.usage(option + " takes a whole number from " + min + " to " + max + ", not '" + value + "'");
	}

}
