package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fulcrum.launcher.StackState.Running;

/**
 * Trains the AOT caches under load (JEP 515): a private stack, one instance of each
 * service, each JVM recording its cache ({@code -XX:AOTCacheOutput}), runs Fulcrum's mix
 * for a while; then each JVM is stopped with SIGTERM and writes, as it exits, the classes
 * it loaded and the method profiles of what the requests ran. A C2 that starts with those
 * profiles compiles the hot paths at once instead of first profiling them for a minute or
 * two. (C1 alone, {@code -XX:TieredStopAtLevel=1}, uses no profiles: {@link AotCache}
 * trains it to refresh.)
 * <p>
 * The stack lives in a folder of its own under the state folder, with its own Redis and
 * free ports, and is removed afterwards: the training user and its jobs never reach the
 * user's stack.
 */
final class LoadTraining {

	/** How long the mix runs, unless {@code FULCRUM_AOT_TRAINING_SECONDS} says. */
	static final Duration WORKLOAD = Duration.ofSeconds(30);

	/** Requests under way at once: enough to keep two cores busy, as a user's load. */
	static final int CLIENTS = 8;

	private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

	/** A JVM writes its cache after it exits its application: this long at most. */
	private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(3);

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private static final Pattern JOB_ID = Pattern.compile("\"id\"\\s*:\\s*\"([A-Za-z0-9-]{1,64})\"");

	/** After a failed request, a client waits this long before the next. */
	private static final Duration FAILURE_PAUSE = Duration.ofMillis(100);

	private LoadTraining() {
	}

	/**
	 * Runs the training stack and leaves each service's cache in its folder. The stack's
	 * folder is removed when the training went well, and kept, with its logs, when not. A
	 * Ctrl-C at any point stops the training stack.
	 * @param layout where the jars are, the JDK and its options
	 * @param folders each service's cache folder, its jar already extracted there
	 * @param workload how long the mix runs
	 * @param out where to say what it does
	 * @return what the mix got, and which services' JVMs stopped on their own (so wrote
	 * their caches whole)
	 */
	static Result run(StackPlan.Layout layout, Map<String, Path> folders, Duration workload, PrintStream out)
			throws IOException {
		Path home = Files.createTempDirectory(Files.createDirectories(layout.home()), "aot-training-");
		boolean keep = true;
		try {
			StackPlan.Layout training = new StackPlan.Layout(layout.root(), home, layout.java(), layout.javaOptions(),
					folders);
			Options options = Options.parse(List.of("up", "--free-ports", "--api", "1", "--workers", "1"), home);
			RedisUsers users = RedisUsers.generate();
			List<Instance> plan = StackPlan
				.recordingAotCaches(StackPlan.plan(options, training, null, users, RedisBinary.newPassword()));
			RedisBinary.install(home);
			RedisBinary.writeConfig(home, users.admin(), users.directives(layout.root()));
			UpstreamFile.write(UpstreamFile.of(home, Autoscaling.API),
					plan.stream()
						.filter((instance) -> instance.service().equals(Autoscaling.API))
						.map((instance) -> "http://127.0.0.1:" + instance.port())
						.toList(),
					Set.of());
			PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
			List<Running> running = new Stack(home, quiet, out).up(plan, START_TIMEOUT);
			// Stack.up stops what it started if interrupted while starting; from here on,
			// this does.
			Thread interrupted = new Thread(() -> Stack.stop(running), "fulcrum-interrupted-training");
			Runtime.getRuntime().addShutdownHook(interrupted);
			Tally tally = null;
			Set<String> dumped;
			try {
				tally = mix(URI.create(plan.getLast().url()), workload);
			}
			finally {
				dumped = stopAndDump(running);
				try {
					Runtime.getRuntime().removeShutdownHook(interrupted);
				}
				catch (IllegalStateException ex) {
					// the JVM is already shutting down: the hook stops the stack
				}
			}
			Result result = new Result(tally, dumped);
			keep = !folders.keySet().stream().allMatch(result::trained);
			return result;
		}
		finally {
			if (keep) {
				out.printf("  the training stack's logs are in %s%n", Stack.relative(home.resolve("logs")));
			}
			else {
				try {
					AotCache.deleteRecursively(home);
				}
				catch (IOException ex) {
					out.printf("  could not remove %s: %s%n", Stack.relative(home), ex.getMessage());
				}
			}
		}
	}

	/**
	 * Stops the services so that each writes its cache: SIGTERM to the JVM alone (the
	 * child it starts to write the cache must not be stopped with it), then a wait for it
	 * to exit; Redis last, once no service needs it.
	 * @return the services whose JVM exited on its own in time: a JVM stopped with
	 * SIGKILL may have left half a cache
	 */
	private static Set<String> stopAndDump(List<Running> running) {
		List<Running> services = running.stream().filter((r) -> StackPlan.isFulcrumService(r.service())).toList();
		services.forEach((r) -> r.process().ifPresent(ProcessHandle::destroy));
		long deadline = System.nanoTime() + DUMP_TIMEOUT.toNanos();
		Set<String> dumped = new HashSet<>();
		for (Running service : services) {
			Optional<ProcessHandle> process = service.process();
			if (process.isEmpty()) {
				// Gone already, by its own exit.
				dumped.add(service.service());
				continue;
			}
			try {
				process.get().onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				dumped.add(service.service());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException ex) {
				// Stopped below with everything else: no cache of it is kept.
			}
		}
		Stack.stop(running);
		return Set.copyOf(dumped);
	}

	/**
	 * What a training run got.
	 *
	 * @param tally what the mix got, or {@code null} if it could not run
	 * @param dumped the services whose JVM exited on its own, in time to write its cache
	 */
	record Result(Tally tally, Set<String> dumped) {

		/**
		 * Whether a service's cache is worth keeping: its JVM wrote it whole, and at
		 * least nine in ten of the mix's requests were answered, so its profiles are of
		 * the request paths.
		 * @param service the service
		 * @return whether to keep its cache
		 */
		boolean trained(String service) {
			return this.dumped.contains(service) && this.tally != null && this.tally.succeeded() > 0
					&& this.tally.failed() * 9 <= this.tally.succeeded();
		}

	}

	/**
	 * Fulcrum's mix through the gateway, as a user's load: a user registers and logs in,
	 * then {@link #CLIENTS} clients send, in each round of ten, eight
	 * {@code GET /api/me}, one {@code GET /api/hello} and one {@code POST /api/jobs}
	 * ({@code echo}, a key of its own), and read the job back.
	 * @param gateway the gateway's base URL
	 * @param duration how long
	 * @return what it got
	 */
	static Tally mix(URI gateway, Duration duration) throws IOException {
		try (HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(REQUEST_TIMEOUT)
			.build(); ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			String user = "{\"username\":\"aot-training-" + UUID.randomUUID().toString().substring(0, 8)
					+ "\",\"password\":\"aot training password\"}";
			send(client, post(gateway.resolve("/auth/register"), user, List.of()), 201);
			Matcher token = ACCESS_TOKEN
				.matcher(send(client, post(gateway.resolve("/auth/login"), user, List.of()), 200));
			if (!token.find()) {
				throw new IOException("the training login returned no access token");
			}
			String bearer = "Bearer " + token.group(1);
			Tally tally = new Tally();
			long end = System.nanoTime() + duration.toNanos();
			for (int i = 0; i < CLIENTS; i++) {
				clients.execute(() -> {
					for (long n = 0; System.nanoTime() < end; n++) {
						HttpRequest request = switch ((int) (n % 10)) {
							case 0 -> post(gateway.resolve("/api/jobs"),
									"{\"type\":\"echo\",\"payload\":{\"n\":" + n + "}}",
									List.of("Authorization", bearer, "Idempotency-Key", UUID.randomUUID().toString()));
							case 1 -> get(gateway.resolve("/api/hello"), null);
							default -> get(gateway.resolve("/api/me"), bearer);
						};
						String body = tally.send(client, request);
						if (body == null) {
							// A stack that fails fast is not hammered for the whole run.
							pause(FAILURE_PAUSE);
						}
						Matcher job = JOB_ID.matcher((body != null && n % 10 == 0) ? body : "");
						if (job.find()) {
							tally.send(client, get(gateway.resolve("/api/jobs/" + job.group(1)), bearer));
						}
					}
				});
			}
			clients.shutdown();
			if (!clients.awaitTermination(duration.toMillis() + 2 * REQUEST_TIMEOUT.toMillis(),
					TimeUnit.MILLISECONDS)) {
				clients.shutdownNow();
			}
			return tally;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static HttpRequest get(URI url, String bearer) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT).GET();
		if (bearer != null) {
			builder.header("Authorization", bearer);
		}
		return builder.build();
	}

	private static HttpRequest post(URI url, String json, List<String> headers) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(url)
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
		for (int i = 0; i < headers.size(); i += 2) {
			builder.header(headers.get(i), headers.get(i + 1));
		}
		return builder.build();
	}

	/**
	 * Sends, waiting out the edge's rate limit on /auth/** and a stack still warming up
	 * (5xx), at most 30 times and 5 s each; fails on any other status.
	 */
	private static String send(HttpClient client, HttpRequest request, int expected)
			throws IOException, InterruptedException {
		for (int attempt = 0; attempt < 30; attempt++) {
			HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == expected) {
				return response.body();
			}
			if (response.statusCode() != 429 && response.statusCode() < 500) {
				throw new IOException(request.method() + " " + request.uri().getPath() + " answered "
						+ response.statusCode() + " during AOT training: " + response.body());
			}
			long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
			Thread.sleep(Duration.ofSeconds(Math.clamp(seconds, 1, 5)));
		}
		throw new IOException(request.uri().getPath() + " kept answering 429 or 5xx during AOT training");
	}

	/** What the training mix got: answers by class. */
	static final class Tally {

		private final AtomicLong succeeded = new AtomicLong();

		private final AtomicLong failed = new AtomicLong();

		private final List<String> firstFailures = new ArrayList<>();

		Tally() {
		}

		/** A tally with these counts. */
		Tally(long succeeded, long failed) {
			this.succeeded.set(succeeded);
			this.failed.set(failed);
		}

		/** Sends one request of the mix; a failure is counted, never thrown. */
		String send(HttpClient client, HttpRequest request) {
			try {
				HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() / 100 == 2) {
					this.succeeded.incrementAndGet();
					return response.body();
				}
				fail(request.method() + " " + request.uri().getPath() + " " + response.statusCode());
			}
			catch (IOException ex) {
				fail(request.method() + " " + request.uri().getPath() + " " + ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return null;
		}

		private void fail(String what) {
			this.failed.incrementAndGet();
			synchronized (this.firstFailures) {
				if (this.firstFailures.size() < 3) {
					this.firstFailures.add(what);
				}
			}
		}

		long succeeded() {
			return this.succeeded.get();
		}

		long failed() {
			return this.failed.get();
		}

		@Override
		public String toString() {
			String text = this.succeeded.get() + " requests answered 2xx, " + this.failed.get() + " not";
			synchronized (this.firstFailures) {
				return this.firstFailures.isEmpty() ? text
						: text + " (first: " + String.join("; ", this.firstFailures) + ")";
			}
		}

	}

}
