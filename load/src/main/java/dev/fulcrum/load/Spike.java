package dev.fulcrum.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A spike against an autoscaled local stack ({@code ./fulcrum up --autoscale}): the base
 * rate, ten times that for a while, the base rate again, all with {@link Mix}'s mix. It
 * writes each second to a CSV and a chart, and says how the stack coped: the replicas it
 * reached, how long until the first new one and until p99 came back under the target, how
 * long until the replicas came back down, and every failed request.
 * <p>
 * {@code java -jar load/target/load-exec.jar spike --gateway http://localhost:8080 --home .fulcrum
 * [--base 30] [--factor 10] [--before 60s] [--spike 60s] [--after 150s] [--users 100]
 * [--p99-target 100] [--out bench/results] [--warm-up 30s]} (bench/spike.sh starts the
 * stack and runs it).
 */
public final class Spike {

	private Spike() {
	}

	/**
	 * How to run it.
	 *
	 * @param gateway the gateway's base URL
	 * @param home the stack's state folder, to watch its replicas
	 * @param baseRate requests a second before and after the spike
	 * @param factor how many times the base rate the spike sends
	 * @param before how long at the base rate first
	 * @param spike how long the spike lasts
	 * @param after how long at the base rate after it
	 * @param users how many users send the requests
	 * @param p99TargetMillis the latency the autoscaling should get back under
	 * @param out where the CSV and the chart go
	 * @param warmUp how long to send the base rate first, not counted: a fresh stack's
	 * first requests are slow and cost CPU until the JIT has compiled them, which could
	 * scale it out before the spike; the run then waits until the api-service is back to
	 * its replicas of before
	 */
	public record Settings(URI gateway, Path home, double baseRate, double factor, Duration before, Duration spike,
			Duration after, int users, double p99TargetMillis, Path out, Duration warmUp) {

		Schedule schedule() {
			return new Schedule(List.of(new Schedule.Phase("before", this.before, this.baseRate),
					new Schedule.Phase("spike", this.spike, this.baseRate * this.factor),
					new Schedule.Phase("after", this.after, this.baseRate)));
		}

	}

	/**
	 * What happened.
	 *
	 * @param timeline each second
	 * @param phases each phase summed up, by name
	 * @param baseReplicas api-service replicas when the spike began
	 * @param peakReplicas the most api-service replicas
	 * @param firstScaleOutSeconds from the spike's start to the first new replica, or -1
	 * @param p99RecoveredSeconds from the spike's start to the first of ten seconds in a
	 * row with p99 under the target, or -1
	 * @param scaledInSeconds from the spike's end to the replicas back at the base, or -1
	 * @param chart the chart's file
	 */
	public record Report(Timeline timeline, Map<String, Timeline.Summary> phases, int baseReplicas, int peakReplicas,
			int firstScaleOutSeconds, int p99RecoveredSeconds, int scaledInSeconds, Path chart) {

		/** Requests that failed over the whole run. */
		public long failed() {
			return this.phases.values().stream().mapToLong(Timeline.Summary::failed).sum();
		}

		@Override
		public String toString() {
			StringBuilder text = new StringBuilder();
			this.phases.forEach((name, summary) -> text.append(String.format(Locale.ROOT, "%-7s %s%n", name, summary)));
			text.append(String.format(Locale.ROOT,
					"api-service replicas: %d at the spike, %d at most; first new one %s after the spike began;"
							+ " p99 under target %s after it began; back to %d %s after it ended%n",
					this.baseReplicas, this.peakReplicas, seconds(this.firstScaleOutSeconds),
					seconds(this.p99RecoveredSeconds), this.baseReplicas, seconds(this.scaledInSeconds)));
			text.append("chart: ").append(this.chart).append('\n');
			return text.toString();
		}

		private static String seconds(int value) {
			return (value < 0) ? "never" : value + " s";
		}

	}

	/**
	 * Runs the spike.
	 * @param settings how
	 * @return what happened
	 */
	public static Report run(Settings settings) throws IOException, InterruptedException {
		try (HttpClient client = OpenLoad.client();
				HttpConnections connections = new HttpConnections(settings.gateway(), Mix.TIMEOUT)) {
			return run(settings, client, connections);
		}
	}

	private static Report run(Settings settings, HttpClient client, HttpConnections connections)
			throws IOException, InterruptedException {
		StackWatcher stack = new StackWatcher(settings.home());
		int replicas = stack.instances("api-service");
		Mix mix = Mix.of(client, settings.gateway(), settings.users());
		Schedule schedule = settings.schedule();
		// Enough requests under way for ten times the spike's rate at a one-second
		// latency.
		int maxInFlight = (int) Math.max(200, settings.baseRate() * settings.factor() * 10);
		if (!settings.warmUp().isZero()) {
			OpenLoad.run(connections,
					new Schedule(List.of(new Schedule.Phase("warm-up", settings.warmUp(), settings.baseRate()))), mix,
					maxInFlight, null);
			long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
			while (stack.instances("api-service") > replicas && System.nanoTime() < deadline) {
				Thread.sleep(500);
			}
		}
		Timeline timeline = OpenLoad.run(connections, schedule, mix, maxInFlight, stack);
		return report(settings, schedule, timeline);
	}

	static Report report(Settings settings, Schedule schedule, Timeline timeline) {
		int spikeStart = (int) schedule.start("spike").toSeconds();
		int spikeEnd = (int) schedule.start("after").toSeconds();
		Map<String, Timeline.Summary> phases = new LinkedHashMap<>();
		phases.put("before", timeline.summary(0, spikeStart));
		phases.put("spike", timeline.summary(spikeStart, spikeEnd));
		phases.put("after", timeline.summary(spikeEnd, timeline.length()));
		List<Timeline.Row> rows = timeline.rows();
		int base = rows.get(Math.max(0, spikeStart - 1)).apiReplicas();
		int peak = rows.stream().mapToInt(Timeline.Row::apiReplicas).max().orElse(0);
		int firstScaleOut = -1;
		for (int s = spikeStart; s < rows.size() && firstScaleOut < 0; s++) {
			if (rows.get(s).apiReplicas() > base) {
				firstScaleOut = s - spikeStart;
			}
		}
		int recovered = -1;
		for (int s = spikeStart; s + 10 <= spikeEnd && recovered < 0; s++) {
			boolean under = true;
			for (int i = s; i < s + 10; i++) {
				under &= rows.get(i).p99Millis() <= settings.p99TargetMillis();
			}
			if (under) {
				recovered = s - spikeStart;
			}
		}
		int scaledIn = -1;
		for (int s = spikeEnd; s < rows.size() && scaledIn < 0; s++) {
			if (rows.get(s).apiReplicas() <= base) {
				scaledIn = s - spikeEnd;
			}
		}
		String stamp = java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-');
		Path chart = settings.out().resolve("spike-" + stamp + ".png");
		timeline.writeCsv(settings.out().resolve("spike-" + stamp + ".csv"));
		TimelineChart.write(timeline,
				String.format(Locale.ROOT, "Spike: %.0f/s, %.0f/s for %ds, %.0f/s (./fulcrum up --autoscale)",
						settings.baseRate(), settings.baseRate() * settings.factor(), settings.spike().toSeconds(),
						settings.baseRate()),
				new double[] { spikeStart, spikeEnd }, settings.p99TargetMillis(), chart);
		return new Report(timeline, phases, base, peak, firstScaleOut, recovered, scaledIn, chart);
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Load.options(args);
		if (!options.containsKey("gateway") || !options.containsKey("home")) {
			System.err.println("usage: --gateway URL --home DIR [--base 30] [--factor 10] [--before 60s] [--spike 60s]"
					+ " [--after 150s] [--users 100] [--p99-target 100] [--out bench/results] [--warm-up 30s]");
			System.exit(2);
		}
		Settings settings = new Settings(URI.create(options.get("gateway")), Path.of(options.get("home")),
				Double.parseDouble(options.getOrDefault("base", "30")),
				Double.parseDouble(options.getOrDefault("factor", "10")),
				Load.duration(options.getOrDefault("before", "60s")),
				Load.duration(options.getOrDefault("spike", "60s")),
				Load.duration(options.getOrDefault("after", "150s")),
				Integer.parseInt(options.getOrDefault("users", "100")),
				Double.parseDouble(options.getOrDefault("p99-target", "100")),
				Path.of(options.getOrDefault("out", "bench/results")),
				Load.duration(options.getOrDefault("warm-up", "30s")));
		Files.createDirectories(settings.out());
		Report report = run(settings);
		System.out.print(report);
		System.exit(0);
	}

}
