package dev.fulcrum.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The whole stack's speed, as a user meets it ({@code bench/stack.sh}): against a stack
 * that {@code ./fulcrum up --home DIR} has just started, Fulcrum's mix ({@link Mix}) over
 * many users,
 * <ol>
 * <li>the first minute after {@code up} at a paced rate, in 10 s windows: how soon the
 * stack is at full speed;</li>
 * <li>fixed arrival rates (open model: slow answers do not slow the load down), each held
 * for a step;</li>
 * <li>saturation: a fixed number of connections, each sending its next request as soon as
 * the last is answered (closed model, as {@code wrk} does), for the most the stack
 * serves;</li>
 * <li>past saturation: fixed rates as multiples of what saturation reached (half to
 * twice): how much is still served, and how fast, when the stack is offered more than it
 * can serve.</li>
 * </ol>
 * Each measured stretch reports the successful requests a second, the p50/p99/p99.9 of
 * the successful requests (a request shed at once with a 503 counts as failed, not as
 * fast), failures by status, and the CPU each tier (each service's processes in
 * {@code stack.tsv}, Redis among them) and the generator itself spent per request, read
 * from {@code /proc}.
 * <p>
 * {@code java -jar load/target/load-exec.jar stack --gateway URL --home DIR [--label
 * defaults] [--users 100] [--first-minute 60s] [--first-minute-rate 1200] [--rates
 * 600,1200,2400] [--step 30s] [--saturation 30s] [--connections 64] [--overload
 * 0.5,1,1.5,2 (default: none)] [--report
 * bench/results/stack.md]}: rows are appended to the report (Markdown) and to a CSV
 * beside it, so that several stacks measured in one run share one table.
 */
public final class StackBench {

	/** The tiers whose CPU is reported, as {@code stack.tsv} names their services. */
	static final List<String> TIERS = List.of("gateway", "auth-service", "api-service", "worker-service", "redis");

	private static final long TICKS_PER_SECOND = 100;

	private StackBench() {
	}

	/**
	 * How to run it.
	 *
	 * @param gateway the gateway's base URL
	 * @param home the stack's state folder ({@code stack.tsv} names its processes)
	 * @param label what this stack is, in the report ({@code defaults}, the flags tried)
	 * @param users how many users send the mix
	 * @param firstMinute how long to watch the stack's first requests (zero: not at all)
	 * @param firstMinuteRate the rate sent meanwhile
	 * @param rates the fixed rates, in order
	 * @param step how long each rate is held
	 * @param saturation how long the closed-model run lasts (zero: none)
	 * @param connections how many connections it keeps busy
	 * @param overload after saturation, rates as multiples of the rate it reached, each
	 * held for a step (empty: none)
	 * @param report the Markdown file rows are appended to (a CSV beside it)
	 */
	public record Settings(URI gateway, Path home, String label, int users, Duration firstMinute,
			double firstMinuteRate, List<Double> rates, Duration step, Duration saturation, int connections,
			List<Double> overload, Path report) {

	}

	/**
	 * One measured stretch.
	 *
	 * @param label the stack's label
	 * @param phase what was sent ({@code 1200/s}, {@code saturation},
	 * {@code first 0-10 s})
	 * @param summary what came back
	 * @param cpuMillis CPU milliseconds spent per request offered, by tier, and by the
	 * generator ({@code generator}); empty where not measured
	 */
	public record Row(String label, String phase, Timeline.Summary summary, Map<String, Double> cpuMillis) {

		/** Successful requests a second. */
		public double succeededPerSecond() {
			return this.summary.succeeded() / (double) Math.max(1, this.summary.seconds());
		}

		/** CPU of the stack's tiers per request, in milliseconds. */
		public double stackMillis() {
			return TIERS.stream().mapToDouble((tier) -> this.cpuMillis.getOrDefault(tier, 0.0)).sum();
		}

		String markdown() {
			String cpu = TIERS.stream()
				.map((tier) -> cell(this.cpuMillis.get(tier)))
				.collect(Collectors.joining(" | "));
			return String.format(Locale.ROOT,
					"| %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %s | %s | %s | %s |", this.label, this.phase,
					this.summary.offered() / (double) Math.max(1, this.summary.seconds()), succeededPerSecond(),
					this.summary.succeededInTime() / (double) Math.max(1, this.summary.seconds()),
					this.summary.p50Millis(), this.summary.p99Millis(), this.summary.p999Millis(),
					failures(this.summary), cpu,
					this.cpuMillis.isEmpty() ? "" : String.format(Locale.ROOT, "**%.2f**", stackMillis()),
					cell(this.cpuMillis.get("generator")));
		}

		String csv() {
			String cpu = TIERS.stream()
				.map((tier) -> String.format(Locale.ROOT, "%.3f", this.cpuMillis.getOrDefault(tier, Double.NaN)))
				.collect(Collectors.joining(","));
			return String.format(Locale.ROOT, "%s,%s,%d,%d,%.0f,%.0f,%.2f,%.2f,%.2f,%s,%s,%.3f",
					this.label.replace(',', ';'), this.phase.replace(',', ';'), this.summary.seconds(),
					this.summary.offered(), succeededPerSecond(),
					this.summary.succeededInTime() / (double) Math.max(1, this.summary.seconds()),
					this.summary.p50Millis(), this.summary.p99Millis(), this.summary.p999Millis(),
					failures(this.summary).replace(", ", " "), cpu,
					this.cpuMillis.getOrDefault("generator", Double.NaN));
		}

		private static String cell(Double millis) {
			return (millis == null) ? "" : String.format(Locale.ROOT, "%.2f", millis);
		}

		private static String failures(Timeline.Summary summary) {
			if (summary.failed() == 0) {
				return "0";
			}
			return summary.failures()
				.entrySet()
				.stream()
				.map((failure) -> failure.getValue() + " x " + statusName(failure.getKey()))
				.collect(Collectors.joining(", "));
		}

		private static String statusName(int status) {
			return switch (status) {
				case 0 -> "no answer";
				case OpenLoad.NOT_SENT -> "not sent";
				default -> String.valueOf(status);
			};
		}

	}

	static final String MARKDOWN_HEADER = """
			| stack | load | offered/s | succeeded/s | within 1 s/s | p50 ms | p99 ms | p99.9 ms | failed | gateway | auth-service | api-service | worker-service | redis | stack | generator |
			|---|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|
			""";

	static final String CSV_HEADER = "stack,load,seconds,offered,succeeded_per_s,in_time_per_s,p50_ms,p99_ms,p999_ms,failed,"
			+ String.join(",", TIERS.stream().map((tier) -> tier + "_cpu_ms").toList()) + ",generator_cpu_ms";

	/**
	 * Runs it.
	 * @param settings how
	 * @param log where each row goes as it is measured
	 * @return every row
	 */
	public static List<Row> run(Settings settings, Consumer<String> log) throws IOException, InterruptedException {
		List<Row> rows = new ArrayList<>();
		try (HttpClient client = OpenLoad.client();
				HttpConnections connections = new HttpConnections(settings.gateway(), Mix.TIMEOUT)) {
			Mix mix = Mix.of(client, settings.gateway(), settings.users());
			Cpu cpu = new Cpu(settings.home());
			if (!settings.firstMinute().isZero()) {
				Timeline timeline = OpenLoad.run(connections,
						new Schedule(List
							.of(new Schedule.Phase("first", settings.firstMinute(), settings.firstMinuteRate()))),
						mix, maxInFlight(settings.firstMinuteRate()), null);
				for (int from = 0; from < timeline.length(); from += 10) {
					int to = Math.min(from + 10, timeline.length());
					rows.add(logged(log,
							new Row(settings.label(),
									String.format(Locale.ROOT, "first %d-%d s at %.0f/s", from, to,
											settings.firstMinuteRate()),
									timeline.succeededSummary(from, to), Map.of())));
				}
			}
			for (double rate : settings.rates()) {
				rows.add(logged(log,
						paced(settings, connections, mix, cpu, rate, String.format(Locale.ROOT, "%.0f/s", rate))));
			}
			if (!settings.saturation().isZero()) {
				Map<String, Long> before = cpu.ticks();
				Timeline timeline = closed(connections, mix, settings.connections(), settings.saturation());
				Timeline.Summary summary = timeline.succeededSummary(0, timeline.length());
				Row saturation = logged(log,
						new Row(settings.label(),
								String.format(Locale.ROOT, "saturation, %d connections", settings.connections()),
								summary, perRequest(before, cpu.ticks(), summary.offered())));
				rows.add(saturation);
				// Past saturation (open model): how much is still served, and how fast.
				for (double multiple : settings.overload()) {
					double rate = Math.max(1, Math.round(multiple * saturation.succeededPerSecond()));
					rows.add(logged(log, paced(settings, connections, mix, cpu, rate,
							String.format(Locale.ROOT, "%s× saturation, %.0f/s", multiple(multiple), rate))));
				}
			}
		}
		return rows;
	}

	/** One fixed rate, held for a step. */
	private static Row paced(Settings settings, HttpConnections connections, Mix mix, Cpu cpu, double rate,
			String phase) {
		Map<String, Long> before = cpu.ticks();
		Timeline timeline = OpenLoad.run(connections,
				new Schedule(List.of(new Schedule.Phase("rate", settings.step(), rate))), mix, maxInFlight(rate), null);
		Timeline.Summary summary = timeline.succeededSummary(0, timeline.length());
		return new Row(settings.label(), phase, summary, perRequest(before, cpu.ticks(), summary.offered()));
	}

	private static String multiple(double multiple) {
		return (multiple == Math.rint(multiple)) ? String.valueOf((long) multiple) : String.valueOf(multiple);
	}

	private static Row logged(Consumer<String> log, Row row) {
		log.accept(String.format(Locale.ROOT, "%-28s %s; CPU ms/request %s", row.phase(), row.summary(),
				row.cpuMillis()
					.entrySet()
					.stream()
					.map((e) -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
					.collect(Collectors.joining(", "))));
		return row;
	}

	/** Enough requests under way for the rate at a two-second latency. */
	private static int maxInFlight(double rate) {
		return (int) Math.max(200, rate * 2);
	}

	/**
	 * A closed-model run: each connection sends its next request as soon as its last one
	 * is answered, for the duration; latency counts from each request's sending.
	 */
	static Timeline closed(HttpConnections connections, OpenLoad.Requests requests, int concurrency,
			Duration duration) {
		int seconds = (int) Math.max(1, Math.ceil(duration.toMillis() / 1000.0));
		Timeline timeline = new Timeline(seconds);
		AtomicLong next = new AtomicLong();
		long start = System.nanoTime();
		long end = start + duration.toNanos();
		try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < concurrency; i++) {
				senders.execute(() -> {
					for (long sent = System.nanoTime(); sent < end; sent = System.nanoTime()) {
						int second = (int) ((sent - start) / 1_000_000_000L);
						timeline.offered(second);
						int status;
						try {
							status = connections.exchange(requests.next(next.getAndIncrement()));
						}
						catch (IOException | RuntimeException ex) {
							status = 0;
						}
						timeline.answered(second, status, (System.nanoTime() - sent) / 1_000);
					}
				});
			}
		}
		return timeline;
	}

	private static Map<String, Double> perRequest(Map<String, Long> before, Map<String, Long> after, long requests) {
		Map<String, Double> perRequest = new LinkedHashMap<>();
		after.forEach((part, ticks) -> {
			Long start = before.get(part);
			if (start != null && requests > 0) {
				int pids = part.indexOf('#');
				perRequest.put((pids < 0) ? part : part.substring(0, pids),
						(ticks - start) * (1000.0 / TICKS_PER_SECOND) / requests);
			}
		});
		return perRequest;
	}

	/**
	 * The CPU time of each tier's processes and of this one, in clock ticks, from
	 * {@code /proc/<pid>/stat} (user and system time). A process that started or ended
	 * between two readings would add or take away its whole life: a tier whose processes
	 * changed is left out of that stretch.
	 */
	static final class Cpu {

		private final Path home;

		Cpu(Path home) {
			this.home = home;
		}

		Map<String, Long> ticks() {
			Map<String, Long> ticks = new LinkedHashMap<>();
			Map<String, List<Long>> pids = new LinkedHashMap<>();
			try {
				for (String line : Files.readAllLines(this.home.resolve("stack.tsv")).stream().skip(1).toList()) {
					String[] fields = line.split("\t");
					if (fields.length >= 6 && TIERS.contains(fields[1])) {
						pids.computeIfAbsent(fields[1], (tier) -> new ArrayList<>()).add(Long.parseLong(fields[5]));
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				return ticks;
			}
			pids.forEach((tier, ids) -> {
				long sum = 0;
				for (long pid : ids) {
					long used = processTicks(pid);
					if (used < 0) {
						return;
					}
					sum += used;
				}
				// The pids are part of the key: a replaced process makes a new one, which
				// the other reading lacks.
				ticks.put(tier + "#" + ids, sum);
			});
			long self = processTicks(ProcessHandle.current().pid());
			if (self >= 0) {
				ticks.put("generator", self);
			}
			return ticks;
		}

		/** utime + stime of a process, or -1 if it is gone. */
		static long processTicks(long pid) {
			try {
				String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
				// The command may hold spaces and parentheses: fields count from the last
				// ')'.
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
			}
			catch (IOException | RuntimeException ex) {
				return -1;
			}
		}

	}

	/** Appends the rows to the report and to a CSV beside it, with headers if new. */
	static void append(Path report, List<Row> rows) throws IOException {
		Files.createDirectories(report.toAbsolutePath().getParent());
		Path csv = report.resolveSibling(report.getFileName().toString().replaceFirst("\\.md$", "") + ".csv");
		// The script may have written a heading and notes first: the table starts after
		// them.
		boolean table = Files.exists(report)
				&& Files.readString(report).contains(MARKDOWN_HEADER.lines().findFirst().orElseThrow());
		StringBuilder markdown = new StringBuilder(table ? "" : MARKDOWN_HEADER);
		StringBuilder lines = new StringBuilder(Files.exists(csv) ? "" : CSV_HEADER + "\n");
		for (Row row : rows) {
			markdown.append(row.markdown()).append('\n');
			lines.append(row.csv()).append('\n');
		}
		Files.writeString(report, markdown, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		Files.writeString(csv, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Load.options(args);
		if (!options.containsKey("gateway") || !options.containsKey("home")) {
			System.err.println("usage: --gateway URL --home DIR [--label defaults] [--users 100] [--first-minute 60s]"
					+ " [--first-minute-rate 1200] [--rates 600,1200,2400] [--step 30s] [--saturation 30s]"
					+ " [--connections 64] [--overload 0.5,1,1.5,2 (default: none)] [--report bench/results/stack.md]");
			System.exit(2);
		}
		Settings settings = new Settings(URI.create(options.get("gateway")), Path.of(options.get("home")),
				options.getOrDefault("label", "defaults"), Integer.parseInt(options.getOrDefault("users", "100")),
				Load.duration(options.getOrDefault("first-minute", "60s")),
				Double.parseDouble(options.getOrDefault("first-minute-rate", "1200")),
				Load.list(options.getOrDefault("rates", "600,1200,2400")).stream().map(Double::parseDouble).toList(),
				Load.duration(options.getOrDefault("step", "30s")),
				Load.duration(options.getOrDefault("saturation", "30s")),
				Integer.parseInt(options.getOrDefault("connections", "64")),
				Load.list(options.getOrDefault("overload", "")).stream().map(Double::parseDouble).toList(),
				Path.of(options.getOrDefault("report", "bench/results/stack.md")));
		List<Row> rows = run(settings, System.out::println);
		append(settings.report(), rows);
		System.exit(0);
	}

}
