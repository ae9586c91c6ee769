package dev.fulcrum.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scaling lab: how much a compose stack sustains as it is given more CPU, across
 * replicas (horizontal), within one replica (vertical), and in the gateway. Each
 * container's CPU quota stands for the node it would run on. For each configuration the
 * lab sets the replicas and quotas, waits until the gateway balances every replica at
 * full weight, warms the new JVMs up, and finds the highest arrival rate of {@link Mix}'s
 * mix held with p99 within the target and failures within the allowed share
 * ({@link RateSearch}); it also measures the CPU each part of the stack spent per
 * request.
 * <p>
 * bench/scaling-lab.sh starts a compose project and runs it; the compose system tests run
 * a quick form.
 */
public final class ScalingLab {

	/** The parts of the stack whose CPU is measured, as compose names the services. */
	static final List<String> PARTS = List.of("gateway", "api-service", "auth-service", "worker-service", "redis");

	/** The lab's own CPU: the load generator, on the same machine. */
	static final String GENERATOR = "generator";

	/** The commands Redis has run (its {@code total_commands_processed}). */
	static final String REDIS_COMMANDS = "redis-commands";

	private static final Pattern SERVICE = Pattern.compile("\"service\"\\s*:\\s*\"([^\"]+)\"");

	private static final Pattern INSTANCE = Pattern.compile("\\{\"instance\"\\s*:\\s*\"([^\"]+)\"([^}]*)}");

	private ScalingLab() {
	}

	/**
	 * How to run it.
	 *
	 * @param gateway the gateway's base URL
	 * @param management the gateway's management base URL ({@code /actuator/balancing})
	 * @param stack the compose project
	 * @param apiCpus the quota of one api-service replica, in cores: one "node"
	 * @param gatewayCpus the gateway's quota while the api-service is scaled
	 * @param replicas the horizontal series: api-service replicas at {@code apiCpus} each
	 * @param vertical the vertical series: one replica at these multiples of
	 * {@code apiCpus} (1 is taken from the horizontal series)
	 * @param gatewayCurve the gateway's series: its quota in cores, with
	 * {@code gatewayReplicas} api-service replicas and no quota on them
	 * @param gatewayReplicas api-service replicas for the gateway's series
	 * @param users how many users send the mix
	 * @param search how each rate is searched (its start is set per configuration)
	 * @param warmUp how long at most each configuration gets traffic, with no quota,
	 * before it is measured (until its CPU per request stops falling)
	 * @param warmUpRate the rate of that traffic
	 * @param out where the table, the CSV and the chart go
	 */
	public record Settings(URI gateway, URI management, ComposeProject stack, double apiCpus, double gatewayCpus,
			List<Integer> replicas, List<Integer> vertical, List<Double> gatewayCurve, int gatewayReplicas, int users,
			RateSearch search, Duration warmUp, double warmUpRate, Path out) {
	}

	/**
	 * One configuration measured.
	 *
	 * @param series horizontal, vertical or gateway
	 * @param apiReplicas api-service replicas
	 * @param apiCpusEach the quota of each, in cores (0: none)
	 * @param gatewayCpus the gateway's quota (0: none)
	 * @param result the search
	 */
	public record Point(String series, int apiReplicas, double apiCpusEach, double gatewayCpus,
			RateSearch.Result result) {

		/** The cores given to the tier this series scales. */
		public double cores() {
			return "gateway".equals(this.series) ? this.gatewayCpus : this.apiReplicas * this.apiCpusEach;
		}

		/** The configuration in words: {@code 2 x 0.25} or {@code gateway 0.5}. */
		public String label() {
			return "gateway".equals(this.series) ? fmt("gateway %.2f", this.gatewayCpus)
					: fmt("%d x %.2f", this.apiReplicas, this.apiCpusEach);
		}

		/**
		 * Cores each part used at the sustained rate, and the share of its quota (or of
		 * the machine, for the whole).
		 */
		Map<String, Double> coresUsed() {
			Map<String, Double> cores = new LinkedHashMap<>();
			RateSearch.Step best = this.result.best();
			if (best != null) {
				for (String part : cpuParts()) {
					Double nanos = best.perRequest().get(part);
					if (nanos != null) {
						cores.put(part, nanos * best.rate() / 1e9);
					}
				}
			}
			return cores;
		}

		/** What ran out first at the sustained rate: the part nearest its quota. */
		String limit(int machineCores) {
			Map<String, Double> used = coresUsed();
			if (used.isEmpty()) {
				return "-";
			}
			Map<String, Double> share = new LinkedHashMap<>();
			double apiQuota = this.apiReplicas * this.apiCpusEach;
			if (apiQuota > 0) {
				share.put("api-service", used.getOrDefault("api-service", 0.0) / apiQuota);
			}
			if (this.gatewayCpus > 0) {
				share.put("gateway", used.getOrDefault("gateway", 0.0) / this.gatewayCpus);
			}
			share.put("machine", used.values().stream().mapToDouble(Double::doubleValue).sum() / machineCores);
			return share.entrySet()
				.stream()
				.max(Map.Entry.comparingByValue())
				.map((entry) -> fmt("%s %.0f %%", entry.getKey(), entry.getValue() * 100))
				.orElse("-");
		}

	}

	/**
	 * Runs the lab.
	 * @param settings how
	 * @param client the HTTP client
	 * @param log where progress goes
	 * @return every configuration measured, in order
	 */
	public static List<Point> run(Settings settings, HttpClient client, Log log)
			throws IOException, InterruptedException {
		try {
			return measureAll(settings, client, log);
		}
		finally {
			// The stack as it was: no container keeps a quota.
			for (String service : List.of("api-service", "gateway")) {
				for (String container : settings.stack().containers(service)) {
					settings.stack().cpus(container, 0);
				}
			}
		}
	}

	private static List<Point> measureAll(Settings settings, HttpClient client, Log log)
			throws IOException, InterruptedException {
		Mix mix = Mix.of(client, settings.gateway(), settings.users());
		List<Point> points = new ArrayList<>();
		double one = 0;
		for (int replicas : settings.replicas()) {
			double expected = (one > 0) ? one * replicas : 0;
			Point point = measure(settings, client, mix, log, "horizontal", replicas, settings.apiCpus(),
					settings.gatewayCpus(), expected);
			points.add(point);
			if (replicas == 1) {
				one = point.result().sustained();
			}
		}
		double best = points.stream().mapToDouble((point) -> point.result().sustained()).max().orElse(0);
		for (double cpus : settings.gatewayCurve()) {
			points.add(measure(settings, client, mix, log, "gateway", settings.gatewayReplicas(), 0, cpus,
					best * cpus / settings.gatewayCpus()));
		}
		for (int multiple : settings.vertical()) {
			Point point = (multiple == 1) ? points.stream()
				.filter((candidate) -> candidate.series().equals("horizontal") && candidate.apiReplicas() == 1)
				.findFirst()
				.orElse(null) : null;
			if (point == null) {
				point = measure(settings, client, mix, log, "vertical", 1, settings.apiCpus() * multiple,
						settings.gatewayCpus(), one * multiple);
			}
			points.add(new Point("vertical", point.apiReplicas(), point.apiCpusEach(), point.gatewayCpus(),
					point.result()));
		}
		return points;
	}

	private static Point measure(Settings settings, HttpClient client, Mix users, Log log, String series,
			int apiReplicas, double apiCpusEach, double gatewayCpus, double expected)
			throws IOException, InterruptedException {
		ComposeProject stack = settings.stack();
		log.line(fmt("== %s: %d api-service replica(s) at %s, the gateway at %s", series, apiReplicas,
				quota(apiCpusEach), quota(gatewayCpus)));
		stack.scale("api-service", apiReplicas);
		List<String> api = awaitHealthy(stack, "api-service", apiReplicas, Duration.ofMinutes(3));
		List<String> gateway = stack.containers("gateway");
		// Warmed up with no quota: a fresh JVM compiles its hot paths in the first minute
		// of traffic, and that is not what a node of this size sustains
		// (docs/scaling.md).
		for (String container : concat(api, gateway)) {
			stack.cpus(container, 0);
		}
		awaitBalanced(client, settings.management(), apiReplicas, Duration.ofMinutes(2));
		// Fresh tokens for each configuration's warm-up and search (at most about ten
		// minutes together): a whole run outlasts an access token (15 minutes).
		Mix mix = users.loggedInAgain(client);
		try (HttpConnections connections = new HttpConnections(settings.gateway(), Mix.TIMEOUT)) {
			return search(settings, connections, mix, log, series, apiReplicas, apiCpusEach, gatewayCpus, expected,
					concat(api, gateway));
		}
	}

	private static Point search(Settings settings, HttpConnections connections, Mix mix, Log log, String series,
			int apiReplicas, double apiCpusEach, double gatewayCpus, double expected, List<String> warmed) {
		ComposeProject stack = settings.stack();
		warmUp(settings, connections, mix, warmed, log);
		List<String> api = stack.containers("api-service");
		List<String> gateway = stack.containers("gateway");
		for (String container : api) {
			stack.cpus(container, apiCpusEach);
		}
		for (String container : gateway) {
			stack.cpus(container, gatewayCpus);
		}
		RateSearch search = settings.search();
		double start = (expected > 0) ? Math.max(search.start(), expected * 0.5) : search.start();
		RateSearch from = new RateSearch(start, search.growth(), search.refinements(), search.step(),
				search.maxP99Millis(), search.maxFailedShare(), Math.max(search.ceiling(), start));
		Map<String, List<String>> containers = new LinkedHashMap<>();
		for (String part : PARTS) {
			containers.put(part, stack.containers(part));
		}
		RateSearch.Result result = from.run(connections, mix, () -> counters(stack, containers));
		for (RateSearch.Step step : result.steps()) {
			log.line("   " + step);
		}
		if (result.steps().stream().allMatch((step) -> step.summary().succeeded() == 0)) {
			// Not a capacity: the stack is broken (a container gone, a port unmapped).
			throw new IllegalStateException("not one request of the " + series + " configuration succeeded: "
					+ result.steps().getLast().summary().failures() + " (status 0: no answer, -1: not sent)");
		}
		Point point = new Point(series, apiReplicas, apiCpusEach, gatewayCpus, result);
		log.line(fmt("   sustained %.0f/s; at it, %s", result.sustained(), point.coresUsed()));
		return point;
	}

	/**
	 * Sends the warm-up rate in steps until the CPU the containers spend per request
	 * changes by less than a tenth twice in a row (the JIT has compiled what this traffic
	 * runs), or for at most the warm-up time.
	 */
	private static void warmUp(Settings settings, HttpConnections connections, Mix mix, List<String> containers,
			Log log) {
		if (settings.warmUp().isZero()) {
			return;
		}
		ComposeProject stack = settings.stack();
		Schedule step = new Schedule(
				List.of(new Schedule.Phase("warm-up", settings.search().step(), settings.warmUpRate())));
		long deadline = System.nanoTime() + settings.warmUp().toNanos();
		double last = Double.MAX_VALUE;
		boolean lastWithin = false;
		for (int steps = 1;; steps++) {
			Map<String, Long> before = stack.cpuNanos(containers);
			Timeline timeline = OpenLoad.run(connections, step, mix, (int) Math.max(200, settings.warmUpRate() * 10),
					null);
			Map<String, Long> after = stack.cpuNanos(containers);
			long nanos = 0;
			for (String container : containers) {
				// Only a container read both times: one missing from a reading would add
				// or take away its whole lifetime.
				if (before.containsKey(container) && after.containsKey(container)) {
					nanos += after.get(container) - before.get(container);
				}
			}
			double perRequest = nanos / 1e6 / Math.max(1, timeline.summary(0, timeline.length()).offered());
			log.line(fmt("   warm-up at %.0f/s: %.2f ms of CPU per request", settings.warmUpRate(), perRequest));
			// Settled: two steps in a row each within a tenth of the one before. One is
			// not enough: a fresh stack's CPU per request falls by less than a tenth a
			// step while it still has a third to go (10.3, 7.1, 5.4, 4.9 ... 3.4 ms
			// measured).
			boolean within = Math.abs(perRequest - last) <= last * 0.1;
			boolean settled = steps >= 3 && within && lastWithin;
			if (settled || System.nanoTime() > deadline) {
				return;
			}
			lastWithin = within;
			last = perRequest;
		}
	}

	/**
	 * CPU nanoseconds so far by part (each service's containers summed, and this JVM),
	 * and the commands Redis has run.
	 */
	private static Map<String, Long> counters(ComposeProject stack, Map<String, List<String>> containers) {
		List<String> all = containers.values().stream().flatMap(List::stream).toList();
		Map<String, Long> byContainer = stack.cpuNanos(all);
		Map<String, Long> byPart = new LinkedHashMap<>();
		containers.forEach((part, names) -> {
			if (byContainer.keySet().containsAll(names)) {
				byPart.put(part, names.stream().mapToLong(byContainer::get).sum());
			}
		});
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			byPart.put(GENERATOR, os.getProcessCpuTime());
		}
		for (String redis : containers.getOrDefault("redis", List.of())) {
			try {
				byPart.merge(REDIS_COMMANDS, stack.redisCommands(redis), Long::sum);
			}
			catch (RuntimeException ex) {
				// Not counted in this step.
			}
		}
		return byPart;
	}

	private static List<String> awaitHealthy(ComposeProject stack, String service, int replicas, Duration atMost)
			throws InterruptedException {
		long deadline = System.nanoTime() + atMost.toNanos();
		while (true) {
			List<String> containers = stack.containers(service);
			if (containers.size() == replicas && containers.stream().allMatch(stack::healthy)) {
				return containers;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(
						service + ": not " + replicas + " healthy replicas after " + atMost + ": " + containers);
			}
			Thread.sleep(1_000);
		}
	}

	/**
	 * Waits until the gateway balances exactly {@code replicas} api-service instances,
	 * each healthy, not ejected, not draining and past its slow start.
	 */
	private static void awaitBalanced(HttpClient client, URI management, int replicas, Duration atMost)
			throws InterruptedException {
		long deadline = System.nanoTime() + atMost.toNanos();
		String last = "";
		while (System.nanoTime() < deadline) {
			try {
				last = client
					.send(HttpRequest.newBuilder(management.resolve("/actuator/balancing"))
						.timeout(Duration.ofSeconds(5))
						.build(), HttpResponse.BodyHandlers.ofString())
					.body();
				if (balanced(last, "api-service", replicas)) {
					return;
				}
			}
			catch (IOException ex) {
				last = ex.toString();
			}
			Thread.sleep(1_000);
		}
		throw new IllegalStateException("the gateway does not balance " + replicas
				+ " warm api-service instances after " + atMost + ": " + last);
	}

	/**
	 * Whether {@code /actuator/balancing}'s answer shows the service's instances all
	 * ready.
	 */
	static boolean balanced(String balancing, String service, int replicas) {
		Map<String, Boolean> ready = new LinkedHashMap<>();
		Matcher services = SERVICE.matcher(balancing);
		List<int[]> spans = new ArrayList<>();
		while (services.find()) {
			if (!spans.isEmpty()) {
				spans.get(spans.size() - 1)[1] = services.start();
			}
			spans.add(new int[] { services.start(), balancing.length(), service.equals(services.group(1)) ? 1 : 0 });
		}
		for (int[] span : spans) {
			if (span[2] == 0) {
				continue;
			}
			Matcher instances = INSTANCE.matcher(balancing.substring(span[0], span[1]));
			while (instances.find()) {
				String fields = instances.group(2).replace(" ", "");
				ready.merge(instances.group(1),
						fields.contains("\"healthy\":true") && fields.contains("\"ejected\":false")
								&& fields.contains("\"draining\":false") && fields.contains("\"warmthPercent\":100"),
						Boolean::logicalAnd);
			}
		}
		return ready.size() == replicas && !ready.containsValue(false);
	}

	/**
	 * The results as a Markdown table: one row per configuration, with the scaling
	 * efficiency (rate at N ÷ (N × rate at 1)) and the CPU each part spent per request.
	 * @param points the configurations
	 * @param machineCores the machine's cores, for the share the whole stack used
	 * @return the table
	 */
	public static String table(List<Point> points, int machineCores) {
		double one = points.stream()
			.filter((point) -> !point.series().equals("gateway") && point.apiReplicas() == 1)
			.mapToDouble((point) -> point.result().sustained() / point.apiCpusEach())
			.findFirst()
			.orElse(0);
		StringBuilder table = new StringBuilder();
		table.append("| series | api-service | gateway | sustained req/s | p50 ms | p99 ms | efficiency | limit |");
		for (String part : PARTS) {
			table.append(' ').append(part).append(" |");
		}
		table.append(' ').append(GENERATOR).append(" | Redis commands |\n|---|---|---|--:|--:|--:|--:|---|");
		table.append("--:|".repeat(PARTS.size() + 2)).append('\n');
		for (Point point : points) {
			RateSearch.Step best = point.result().best();
			String efficiency = (point.series().equals("gateway") || one == 0) ? "-"
					: fmt("%.0f %%", 100 * point.result().sustained() / (one * point.cores()));
			table.append(fmt("| %s | %s | %s | %.0f | %s | %s | %s | %s |", point.series(),
					(point.apiCpusEach() > 0) ? fmt("%d x %.2f cores", point.apiReplicas(), point.apiCpusEach())
							: fmt("%d, no quota", point.apiReplicas()),
					quota(point.gatewayCpus()), point.result().sustained(),
					(best != null) ? fmt("%.1f", best.summary().p50Millis()) : "-",
					(best != null) ? fmt("%.1f", best.summary().p99Millis()) : "-", efficiency,
					point.limit(machineCores)));
			for (String part : PARTS) {
				table.append(' ').append(cpu(best, part)).append(" |");
			}
			table.append(' ').append(cpu(best, GENERATOR)).append(" |");
			Double commands = (best != null) ? best.perRequest().get(REDIS_COMMANDS) : null;
			table.append(' ').append((commands != null) ? fmt("%.1f", commands) : "-").append(" |\n");
		}
		table.append("\nCPU columns (gateway to generator): milliseconds of CPU per request offered, at the"
				+ " sustained rate; Redis commands: per request, the same. Efficiency: the rate per core given to the"
				+ " api-service, against one replica's. Limit: the part nearest its quota, or the machine.\n");
		return table.toString();
	}

	private static String cpu(RateSearch.Step best, String part) {
		Double nanos = (best != null) ? best.perRequest().get(part) : null;
		return (nanos != null) ? fmt("%.2f", nanos / 1e6) : "-";
	}

	private static List<String> cpuParts() {
		List<String> parts = new ArrayList<>(PARTS);
		parts.add(GENERATOR);
		return parts;
	}

	/**
	 * Every step of every search as CSV.
	 * @param points the configurations
	 * @param file where to write it
	 */
	public static void writeCsv(List<Point> points, Path file) {
		List<String> lines = new ArrayList<>();
		lines.add("series,api_replicas,api_cpus_each,gateway_cpus,rate,passed,offered,succeeded,failed,p50_ms,p99_ms,"
				+ "p999_ms," + String.join(",", cpuParts().stream().map((part) -> part + "_cpu_ms").toList())
				+ ",redis_commands");
		for (Point point : points) {
			for (RateSearch.Step step : point.result().steps()) {
				Timeline.Summary summary = step.summary();
				StringBuilder line = new StringBuilder(fmt("%s,%d,%.3f,%.3f,%.1f,%b,%d,%d,%d,%.2f,%.2f,%.2f",
						point.series(), point.apiReplicas(), point.apiCpusEach(), point.gatewayCpus(), step.rate(),
						step.passed(), summary.offered(), summary.succeeded(), summary.failed(), summary.p50Millis(),
						summary.p99Millis(), summary.p999Millis()));
				for (String part : cpuParts()) {
					line.append(',').append(fmt("%.3f", step.perRequest().getOrDefault(part, Double.NaN) / 1e6));
				}
				line.append(',').append(fmt("%.2f", step.perRequest().getOrDefault(REDIS_COMMANDS, Double.NaN)));
				lines.add(line.toString());
			}
		}
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.write(file, lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<String> concat(List<String> first, List<String> second) {
		List<String> both = new ArrayList<>(first);
		both.addAll(second);
		return both;
	}

	private static String quota(double cpus) {
		return (cpus > 0) ? fmt("%.2f cores", cpus) : "no quota";
	}

	static String fmt(String format, Object... args) {
		return String.format(Locale.ROOT, format, args);
	}

	/** Where progress goes. */
	@FunctionalInterface
	public interface Log {

		void line(String line);

	}

	/**
	 * {@code java -jar load/target/load-exec.jar scaling-lab --gateway URL --management
	 * URL --project NAME --compose "docker compose" [--docker docker]
	 * [--api-cpus 0.5] [--gateway-cpus 1] [--replicas 1,2,3,4] [--vertical 1,2,4]
	 * [--gateway-curve 0.25,0.5,1] [--gateway-replicas 4] [--users 100] [--step 15s]
	 * [--warm-up 3m] [--warm-up-rate 150] [--start 50] [--growth 1.25] [--refinements 3] [--p99-target 100]
	 * [--max-failed 0.01] [--out bench/results]}.
	 * @param args the options
	 */
	public static void main(String[] args) throws Exception {
		Map<String, String> options = Load.options(args);
		for (String required : List.of("gateway", "management", "project", "compose")) {
			if (!options.containsKey(required)) {
				System.err.println("usage: scaling-lab --gateway URL --management URL --project NAME --compose COMMAND"
						+ " [--api-cpus 0.5] [--gateway-cpus 1] [--replicas 1,2,3,4] [--vertical 1,2,4]"
						+ " [--gateway-curve 0.25,0.5,1] [--gateway-replicas 4] [--users 100] [--step 15s]"
						+ " [--warm-up 3m] [--warm-up-rate 150] [--start 50] [--growth 1.25] [--refinements 3] [--p99-target 100]"
						+ " [--max-failed 0.01] [--out bench/results]");
				System.exit(2);
			}
		}
		ComposeProject stack = new ComposeProject(options.getOrDefault("docker", "docker"),
				List.of(options.get("compose").split(" +")), options.get("project"), Map.of());
		RateSearch search = new RateSearch(Double.parseDouble(options.getOrDefault("start", "50")),
				Double.parseDouble(options.getOrDefault("growth", "1.25")),
				Integer.parseInt(options.getOrDefault("refinements", "3")),
				Load.duration(options.getOrDefault("step", "15s")),
				Double.parseDouble(options.getOrDefault("p99-target", "100")),
				Double.parseDouble(options.getOrDefault("max-failed", "0.01")), 20_000);
		Settings settings = new Settings(URI.create(options.get("gateway")), URI.create(options.get("management")),
				stack, Double.parseDouble(options.getOrDefault("api-cpus", "0.5")),
				Double.parseDouble(options.getOrDefault("gateway-cpus", "1")),
				Load.list(options.getOrDefault("replicas", "1,2,3,4")).stream().map(Integer::parseInt).toList(),
				Load.list(options.getOrDefault("vertical", "1,2,4")).stream().map(Integer::parseInt).toList(),
				Load.list(options.getOrDefault("gateway-curve", "0.25,0.5,1"))
					.stream()
					.map(Double::parseDouble)
					.toList(),
				Integer.parseInt(options.getOrDefault("gateway-replicas", "4")),
				Integer.parseInt(options.getOrDefault("users", "100")), search,
				Load.duration(options.getOrDefault("warm-up", "3m")),
				Double.parseDouble(options.getOrDefault("warm-up-rate", "150")),
				Path.of(options.getOrDefault("out", "bench/results")));
		List<Point> points;
		try (HttpClient client = OpenLoad.client()) {
			points = run(settings, client, System.out::println);
		}
		int cores = Runtime.getRuntime().availableProcessors();
		String table = table(points, cores);
		String stamp = java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-');
		Path out = settings.out();
		Files.createDirectories(out);
		Files.writeString(out.resolve("scaling-lab-" + stamp + ".md"), table);
		writeCsv(points, out.resolve("scaling-lab-" + stamp + ".csv"));
		Path chart = out.resolve("scaling-lab-" + stamp + ".png");
		ScalingChart.write(points,
				fmt("Scaling lab: %d cores, api-service replicas at %.2f cores each", cores, settings.apiCpus()),
				settings.search().maxP99Millis(), chart);
		System.out.println();
		System.out.print(table);
		System.out.println("chart: " + chart);
		System.exit(0);
	}

}
