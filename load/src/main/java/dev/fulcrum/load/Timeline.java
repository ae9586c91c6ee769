package dev.fulcrum.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in each second of a run: requests offered and answered, failures by
 * status, latency percentiles of the answered requests (measured from when each request
 * was due, not from when it was sent, so that a generator that fell behind does not hide
 * the wait: no coordinated omission; a request the generator could not send, or that got
 * no answer, is a failure with no latency), and what the stack looked like (replicas,
 * queue lag). Built by {@link OpenLoad}; thread-safe while it records.
 */
public final class Timeline {

	private final Second[] seconds;

	/** Set once the unanswered are counted: a later answer is not counted again. */
	private volatile boolean closed;

	Timeline(int seconds) {
		this.seconds = new Second[seconds];
		Arrays.setAll(this.seconds, (i) -> new Second());
	}

	/** How many seconds it covers. */
	public int length() {
		return this.seconds.length;
	}

	void offered(int second) {
		Second bucket = bucket(second);
		synchronized (bucket) {
			bucket.offered++;
		}
	}

	/** What "in time" means for {@link Summary#succeededInTime()}: a second. */
	static final long IN_TIME_MICROS = 1_000_000;

	void answered(int second, int status, long latencyMicros) {
		Second bucket = bucket(second);
		synchronized (bucket) {
			if (this.closed) {
				// Counted as unanswered already.
				return;
			}
			if (status >= 200 && status < 300) {
				bucket.succeeded++;
				bucket.succeededLatencies.add(latencyMicros);
			}
			else {
				bucket.failures.merge(status, 1, Integer::sum);
			}
			bucket.latencies.add(latencyMicros);
		}
	}

	/** A due request the generator could not send: a failure, with no latency. */
	void notSent(int second) {
		Second bucket = bucket(second);
		synchronized (bucket) {
			bucket.failures.merge(OpenLoad.NOT_SENT, 1, Integer::sum);
		}
	}

	/** Counts every request offered but neither answered nor refused as failed (0). */
	void closeUnanswered() {
		this.closed = true;
		for (Second bucket : this.seconds) {
			synchronized (bucket) {
				int accounted = bucket.succeeded + bucket.failures.values().stream().mapToInt(Integer::intValue).sum();
				if (bucket.offered > accounted) {
					bucket.failures.merge(0, bucket.offered - accounted, Integer::sum);
				}
			}
		}
	}

	void observe(int second, int apiReplicas, int workerReplicas, double queueLag) {
		Second bucket = bucket(second);
		synchronized (bucket) {
			bucket.apiReplicas = apiReplicas;
			bucket.workerReplicas = workerReplicas;
			bucket.queueLag = queueLag;
		}
	}

	private Second bucket(int second) {
		return this.seconds[Math.max(0, Math.min(second, this.seconds.length - 1))];
	}

	/**
	 * One second, summed up.
	 * @param second the second from the start
	 * @return its row
	 */
	public Row row(int second) {
		Second bucket = this.seconds[second];
		synchronized (bucket) {
			List<Long> sorted = new ArrayList<>(bucket.latencies);
			sorted.sort(null);
			int failed = bucket.failures.values().stream().mapToInt(Integer::intValue).sum();
			return new Row(second, bucket.offered, bucket.succeeded, failed, new TreeMap<>(bucket.failures),
					percentile(sorted, 50), percentile(sorted, 99), bucket.apiReplicas, bucket.workerReplicas,
					bucket.queueLag);
		}
	}

	/** Every second, in order. */
	public List<Row> rows() {
		List<Row> rows = new ArrayList<>();
		for (int i = 0; i < this.seconds.length; i++) {
			rows.add(row(i));
		}
		return rows;
	}

	/**
	 * A stretch of seconds summed up.
	 * @param from the first second
	 * @param to the second after the last
	 * @return requests, failures and percentiles over the stretch
	 */
	public Summary summary(int from, int to) {
		return summary(from, to, false);
	}

	/**
	 * A stretch of seconds summed up, its percentiles those of the successful (2xx)
	 * answers only: what the requests let through got, when others were refused at once.
	 * @param from the first second
	 * @param to the second after the last
	 * @return requests, failures and the successful answers' percentiles over the stretch
	 */
	public Summary succeededSummary(int from, int to) {
		return summary(from, to, true);
	}

	private Summary summary(int from, int to, boolean succeededOnly) {
		List<Long> latencies = new ArrayList<>();
		long inTime = 0;
		long offered = 0;
		long succeeded = 0;
		Map<Integer, Integer> failures = new TreeMap<>();
		for (int i = Math.max(0, from); i < Math.min(to, this.seconds.length); i++) {
			Second bucket = this.seconds[i];
			synchronized (bucket) {
				offered += bucket.offered;
				succeeded += bucket.succeeded;
				bucket.failures.forEach((status, count) -> failures.merge(status, count, Integer::sum));
				latencies.addAll(succeededOnly ? bucket.succeededLatencies : bucket.latencies);
				inTime += bucket.succeededLatencies.stream().filter((micros) -> micros <= IN_TIME_MICROS).count();
			}
		}
		latencies.sort(null);
		return new Summary(to - from, offered, succeeded, failures, percentile(latencies, 50),
				percentile(latencies, 99), percentile(latencies, 99.9), inTime);
	}

	/** Writes one line a second, with a header. */
	public void writeCsv(Path file) {
		List<String> lines = new ArrayList<>();
		lines.add("second,offered,succeeded,failed,p50_ms,p99_ms,api_replicas,worker_replicas,queue_lag");
		for (Row row : rows()) {
			lines.add(String.format(Locale.ROOT, "%d,%d,%d,%d,%.1f,%.1f,%d,%d,%.0f", row.second(), row.offered(),
					row.succeeded(), row.failed(), row.p50Millis(), row.p99Millis(), row.apiReplicas(),
					row.workerReplicas(), row.queueLag()));
		}
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.write(file, lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static double percentile(List<Long> sortedMicros, double percentile) {
		if (sortedMicros.isEmpty()) {
			return 0;
		}
		int index = (int) Math.ceil(percentile / 100 * sortedMicros.size()) - 1;
		return sortedMicros.get(Math.max(0, Math.min(index, sortedMicros.size() - 1))) / 1_000.0;
	}

	private static final class Second {

		int offered;

		int succeeded;

		final Map<Integer, Integer> failures = new TreeMap<>();

		final List<Long> latencies = new ArrayList<>();

		final List<Long> succeededLatencies = new ArrayList<>();

		int apiReplicas;

		int workerReplicas;

		double queueLag;

	}

	/**
	 * One second.
	 *
	 * @param second from the start
	 * @param offered requests due in it
	 * @param succeeded of those, answered 2xx
	 * @param failed of those, answered otherwise or not at all
	 * @param failures the failed ones by status (0: no answer, -1: not sent, the
	 * generator's own limit of requests in flight)
	 * @param p50Millis median latency
	 * @param p99Millis 99th percentile latency
	 * @param apiReplicas api-service instances at that second
	 * @param workerReplicas worker-service instances at that second
	 * @param queueLag the job queue's lag as the autoscaler last measured it
	 */
	public record Row(int second, int offered, int succeeded, int failed, Map<Integer, Integer> failures,
			double p50Millis, double p99Millis, int apiReplicas, int workerReplicas, double queueLag) {
	}

	/**
	 * A stretch of seconds.
	 *
	 * @param seconds how long
	 * @param offered requests due
	 * @param succeeded answered 2xx
	 * @param failures the others by status
	 * @param p50Millis median latency
	 * @param p99Millis 99th percentile
	 * @param p999Millis 99.9th percentile
	 * @param succeededInTime of the successful ones, those answered within a second: what
	 * a client that waits no longer got
	 */
	public record Summary(int seconds, long offered, long succeeded, Map<Integer, Integer> failures, double p50Millis,
			double p99Millis, double p999Millis, long succeededInTime) {

		/** A stretch whose every success came within a second. */
		public Summary(int seconds, long offered, long succeeded, Map<Integer, Integer> failures, double p50Millis,
				double p99Millis, double p999Millis) {
			this(seconds, offered, succeeded, failures, p50Millis, p99Millis, p999Millis, succeeded);
		}

		public long failed() {
			return this.failures.values().stream().mapToLong(Integer::longValue).sum();
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"%d requests in %d s (%.0f/s offered, %.0f/s succeeded), failed %s, p50 %.1f ms, p99 %.1f ms,"
							+ " p99.9 %.1f ms",
					this.offered, this.seconds, this.offered / (double) Math.max(1, this.seconds),
					this.succeeded / (double) Math.max(1, this.seconds), this.failures, this.p50Millis, this.p99Millis,
					this.p999Millis);
		}

	}

}
