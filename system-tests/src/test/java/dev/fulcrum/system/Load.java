package dev.fulcrum.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * Closed-model load for the failure tests: a fixed number of clients, each sending its
 * next request when the last one is answered, until stopped. Every answer is counted by
 * status, a request that got no answer as status 0; latencies are kept for percentiles.
 * Requests go only to the stack the test started, on this machine.
 */
final class Load implements AutoCloseable {

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

	private final ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();

	private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

	private final AtomicLong sequence = new AtomicLong();

	private final long startNanos = System.nanoTime();

	private volatile long stopNanos;

	/**
	 * Starts the clients.
	 * @param concurrency how many clients
	 * @param requests the n-th request of the run
	 */
	Load(int concurrency, LongFunction<HttpRequest> requests) {
		this(concurrency, Duration.ZERO, requests);
	}

	/**
	 * Starts the clients, each waiting a while after every answer: a ceiling on the rate
	 * (under a rate limit, say) whatever the stack's speed.
	 * @param concurrency how many clients
	 * @param pause how long each client waits after an answer
	 * @param requests the n-th request of the run
	 */
	Load(int concurrency, Duration pause, LongFunction<HttpRequest> requests) {
		for (int i = 0; i < concurrency; i++) {
			this.clients.execute(() -> {
				while (this.running.get()) {
					send(requests.apply(this.sequence.getAndIncrement()));
					if (pause.isPositive()) {
						try {
							Thread.sleep(pause);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
							return;
						}
					}
				}
			});
		}
	}

	/** A GET of a path, with optional headers. */
	static HttpRequest get(String url, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET();
		if (headers.length > 0) {
			request.headers(headers);
		}
		return request.build();
	}

	/** A POST of a JSON body, with optional headers. */
	static HttpRequest post(String url, String json, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return request.build();
	}

	private void send(HttpRequest request) {
		long start = System.nanoTime();
		int status;
		try {
			HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
			status = response.statusCode();
			if (status >= 400 && this.failures.size() < 20) {
				this.failures
					.add(request.method() + " " + request.uri().getPath() + " -> " + status + " " + response.body());
			}
		}
		catch (IOException ex) {
			status = 0;
			if (this.failures.size() < 20) {
				this.failures.add(request.method() + " " + request.uri().getPath() + " -> " + ex);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		this.latenciesMicros.add((System.nanoTime() - start) / 1_000);
		this.statuses.computeIfAbsent(status, (key) -> new LongAdder()).increment();
	}

	/** Stops the clients and waits for their last answers. */
	@Override
	public void close() {
		if (this.running.getAndSet(false)) {
			this.clients.close();
			this.stopNanos = System.nanoTime();
		}
	}

	/** Answers by status (0: no answer), once stopped. */
	Map<Integer, Long> statuses() {
		Map<Integer, Long> counts = new TreeMap<>();
		this.statuses.forEach((status, count) -> counts.put(status, count.sum()));
		return counts;
	}

	long total() {
		return statuses().values().stream().mapToLong(Long::longValue).sum();
	}

	/** Requests answered with a status outside 2xx, or not answered. */
	long failed() {
		return statuses().entrySet()
			.stream()
			.filter((entry) -> entry.getKey() < 200 || entry.getKey() >= 300)
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	/** The first failures, for the assertion message. */
	List<String> firstFailures() {
		return new ArrayList<>(this.failures);
	}

	/** The given percentile of the latencies, in milliseconds. */
	double percentileMillis(double percentile) {
		List<Long> sorted = new ArrayList<>(this.latenciesMicros);
		if (sorted.isEmpty()) {
			return 0;
		}
		sorted.sort(null);
		int index = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100 * sorted.size()) - 1);
		return sorted.get(Math.max(0, index)) / 1_000.0;
	}

	/** One line for the test's output: rate, failures and latencies. */
	String summary() {
		double seconds = ((this.stopNanos == 0 ? System.nanoTime() : this.stopNanos) - this.startNanos) / 1e9;
		return String.format("%d requests in %.1f s (%.0f/s), statuses %s, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
				total(), seconds, total() / seconds, statuses(), percentileMillis(50), percentileMillis(99),
				percentileMillis(100));
	}

}
