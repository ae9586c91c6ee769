package dev.fulcrum.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Each service's ahead-of-time cache (JDK 25: JEP 483, 514 and 515), as the images have
 * one (Dockerfile): the JVM maps the classes a training run loaded and linked, with their
 * method profiles, instead of loading them again.
 * <p>
 * A cache works only with the jar it was trained on, in its extracted form (plain jars on
 * the class path, at the same paths), the same JDK and the same JVM options; otherwise
 * the JVM ignores it ({@code -XX:AOTMode=auto}) and starts as slowly as without. So the
 * launcher extracts each service's jar into a folder of its own for that jar, JDK and
 * options ({@code <service>/target/aot/<hash>/}, the hash of {@code stamp}) and trains
 * there, once: a later {@code up} with the same build finds it. A folder is complete once
 * its {@code stamp} is written, and never changed after, so a stack running from it is
 * safe from the next build's training; the three newest per service are kept.
 * <p>
 * A service whose training fails starts from its plain jar, without a cache: slower, not
 * broken. When training under load fails, the launcher notes it in the folder
 * ({@link #FAILED}) and trains to refresh instead, for this {@code up} and every later
 * one of the same build, rather than spend minutes failing again each time.
 * <p>
 * Two trainings ({@link Training}): to refresh, each service alone, for C1 alone
 * ({@code -XX:TieredStopAtLevel=1}), which uses no profiles; or under load
 * ({@link LoadTraining}), for C2 (the default options), so that the cache also holds the
 * method profiles of the request paths. The length of the training's mix is not part of
 * the stamp: a cache once trained is kept whatever it is set to later.
 */
final class AotCache {

	static final String FOLDER = "aot";

	static final String STAMP = "stamp";

	/** In a folder of a cache to be trained under load: why that training failed. */
	static final String FAILED = "failed";

	private static final int KEPT = 3;

	private static final long EXTRACT_MINUTES = 1;

	private static final long TRAIN_MINUTES = 3;

	private AotCache() {
	}

	/** How a cache is trained. */
	enum Training {

		/**
		 * The application starts and stops once its context is refreshed: the classes it
		 * loads, no profile of a request. Enough for C1 alone, which uses no profiles.
		 */
		REFRESH,

		/**
		 * A private stack runs Fulcrum's mix ({@link LoadTraining}): the classes and the
		 * method profiles of the request paths, so that C2 compiles them at once (JEP
		 * 515).
		 */
		UNDER_LOAD;

		/**
		 * The training for a stack: {@code FULCRUM_AOT_TRAINING} ({@code load} or
		 * {@code refresh}) if set, else under load unless the options stop the JIT below
		 * C2 ({@code -XX:TieredStopAtLevel=1}), where profiles are of no use.
		 * @param javaOptions the services' JVM options
		 * @param setting the value of {@code FULCRUM_AOT_TRAINING}, or {@code null}
		 * @return the training
		 */
		static Training of(List<String> javaOptions, String setting) {
			if (setting != null && !setting.isBlank()) {
				return switch (setting.strip()) {
					case "load" -> UNDER_LOAD;
					case "refresh" -> REFRESH;
					default -> throw LauncherException
						.usage("FULCRUM_AOT_TRAINING is 'load' or 'refresh', not '" + setting + "'");
				};
			}
			return withoutC2(javaOptions) ? REFRESH : UNDER_LOAD;
		}

		private static boolean withoutC2(List<String> javaOptions) {
			boolean withoutC2 = false;
			for (String option : javaOptions) {
				if (option.startsWith("-XX:TieredStopAtLevel=")) {
					withoutC2 = !option.endsWith("=4");
				}
			}
			return withoutC2;
		}

	}

	/** Whether this JDK has the AOT cache (25 and newer: the services run on it). */
	static boolean supported() {
		return Runtime.version().feature() >= 25;
	}

	/** The extracted jar the service runs from, in a cache's folder. */
	static Path jar(Path folder, String service) {
		return folder.resolve(service + ".jar");
	}

	/** The cache file in a cache's folder. */
	static Path cache(Path folder, String service) {
		return folder.resolve(service + ".aot");
	}

	/**
	 * The folder of the cache for the service's jar, this JDK and the options.
	 * @param layout where the jar is, the JDK and the options
	 * @param service the service
	 * @return {@code <service>/target/aot/<hash>}
	 */
	static Path folder(StackPlan.Layout layout, String service, Training training) throws IOException {
		return layout.root()
			.resolve(service)
			.resolve("target")
			.resolve(FOLDER)
			.resolve(hash(stamp(layout, service, training)).substring(0, 16));
	}

	/** Whether the service's cache is trained (its folder complete). */
	static boolean current(StackPlan.Layout layout, String service, Training training) {
		try {
			Path folder = folder(layout, service, training);
			return Files.exists(folder.resolve(STAMP)) && Files.exists(cache(folder, service));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * What a cache is good for: the jar (size, time), the JDK and the options; and how it
	 * was trained.
	 */
	static String stamp(StackPlan.Layout layout, String service, Training training) throws IOException {
		Path jar = layout.jar(service);
		return "jar=" + jar.toAbsolutePath() + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis()
				+ "\njava=" + layout.java() + " " + Runtime.version() + "\noptions="
				+ String.join(" ", layout.javaOptions()) + "\ntraining=" + training.name().toLowerCase(Locale.ROOT)
				+ "\n";
	}

	/**
	 * Trains the caches that are missing, in parallel, and says where each service's is.
	 * @param layout where things are, the JDK and its options
	 * @param services the services
	 * @param training how
	 * @param workload with {@link Training#UNDER_LOAD}, how long the mix runs
	 * @param out where to say what it does
	 * @return the folder of each service's cache; a service whose training failed is
	 * missing (it starts from its plain jar)
	 */
	static Map<String, Path> prepare(StackPlan.Layout layout, List<String> services, Training training,
			Duration workload, PrintStream out) {
		List<String> missing = services.stream().filter((service) -> !current(layout, service, training)).toList();
		long started = System.nanoTime();
		boolean trained = false;
		if (training == Training.UNDER_LOAD) {
			List<String> untried = missing.stream().filter((service) -> !failedUnderLoad(layout, service)).toList();
			if (!untried.isEmpty()) {
				out.printf("Training the AOT cache of %s under load (once per build; %ds of the mix on a private"
						+ " stack) ...%n", String.join(", ", untried), workload.toSeconds());
				trainUnderLoad(layout, untried, workload, out);
				trained = true;
			}
			List<String> failed = missing.stream()
				.filter((service) -> !current(layout, service, Training.UNDER_LOAD))
				.toList();
			if (!failed.isEmpty()) {
				out.printf(
						"  %s: training under load failed for this build; the cache trained to refresh is used instead"
								+ " (under load is tried again after the next build, or once target/%s is deleted)%n",
						String.join(", ", failed), FOLDER);
			}
			List<String> fallback = failed.stream()
				.filter((service) -> !current(layout, service, Training.REFRESH))
				.toList();
			if (!fallback.isEmpty()) {
				out.printf("Training the AOT cache of %s to refresh ...%n", String.join(", ", fallback));
				train(layout, fallback, out);
				trained = true;
			}
		}
		else if (!missing.isEmpty()) {
			out.printf("Training the AOT cache of %s (once per build) ...%n", String.join(", ", missing));
			train(layout, missing, out);
			trained = true;
		}
		Map<String, Path> folders = new LinkedHashMap<>();
		// Under load if it could be, else its fallback, trained to refresh; else none.
		List<Training> preferred = (training == Training.UNDER_LOAD) ? List.of(Training.UNDER_LOAD, Training.REFRESH)
				: List.of(training);
		for (String service : services) {
			for (Training kind : preferred) {
				if (current(layout, service, kind)) {
					try {
						folders.put(service, folder(layout, service, kind));
						break;
					}
					catch (IOException ex) {
						// Gone since: the plain jar.
					}
				}
			}
		}
		if (trained) {
			out.printf("Trained in %.1fs%n", (System.nanoTime() - started) / 1e9);
		}
		return folders;
	}

	/**
	 * Whether training under load failed for this service's build and options: then
	 * {@link #prepare} trains to refresh rather than spend minutes failing again at every
	 * {@code up}.
	 */
	static boolean failedUnderLoad(StackPlan.Layout layout, String service) {
		try {
			return Files.exists(folder(layout, service, Training.UNDER_LOAD).resolve(FAILED));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Notes that training under load failed for this build, keeping only the note (the
	 * extracted jars would pile up, one folder per failed build). Not when the user
	 * interrupted it: that is no failure of the training.
	 */
	private static void markFailed(StackPlan.Layout layout, String service, String why) {
		if (Thread.currentThread().isInterrupted() || shuttingDown()) {
			return;
		}
		try {
			Path folder = folder(layout, service, Training.UNDER_LOAD);
			deleteRecursively(folder);
			Files.createDirectories(folder);
			Files.writeString(folder.resolve(FAILED), why + "\n");
		}
		catch (IOException ex) {
			// Then it is simply tried again at the next up.
		}
	}

	/** Whether the JVM is shutting down (Ctrl-C): its hooks then stop the training. */
	private static boolean shuttingDown() {
		Thread probe = new Thread(() -> {
		});
		try {
			Runtime.getRuntime().addShutdownHook(probe);
			Runtime.getRuntime().removeShutdownHook(probe);
			return false;
		}
		catch (IllegalStateException ex) {
			return true;
		}
	}

	private static void train(StackPlan.Layout layout, List<String> services, PrintStream out) {
		ExecutorService training = Executors.newVirtualThreadPerTaskExecutor();
		Map<String, Future<?>> runs = new LinkedHashMap<>();
		for (String service : services) {
			runs.put(service, training.submit(() -> {
				train(layout, service);
				return null;
			}));
		}
		try {
			for (Map.Entry<String, Future<?>> run : runs.entrySet()) {
				try {
					run.getValue().get(EXTRACT_MINUTES + TRAIN_MINUTES + 1, TimeUnit.MINUTES);
				}
				catch (ExecutionException | TimeoutException ex) {
					Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
					out.printf("  %s starts without an AOT cache: %s%n", run.getKey(),
							(cause instanceof LauncherException) ? cause.getMessage() : cause.toString());
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw LauncherException.failure("interrupted while training the AOT cache");
		}
		finally {
			// Interrupts what still runs: each run then stops its processes.
			training.shutdownNow();
		}
	}

	/**
	 * Extracts the jar and trains: the application starts with the local profile and
	 * stops once its context is refreshed ({@code spring.context.exit=onRefresh}, before
	 * any port is opened or Redis is called), and the JVM writes what it loaded to the
	 * cache as it exits. A lock keeps two launchers from training the same service at
	 * once; a folder left incomplete by an interrupted training is started again.
	 */
	private static void train(StackPlan.Layout layout, String service) throws IOException, InterruptedException {
		Path folder = folder(layout, service, Training.REFRESH);
		Path parent = folder.getParent();
		Files.createDirectories(parent);
		try (FileChannel channel = FileChannel.open(parent.resolve(".lock"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE); FileLock held = channel.lock()) {
			if (current(layout, service, Training.REFRESH)) {
				return;
			}
			Path log = extract(layout, service, folder);
			List<String> command = new ArrayList<>();
			command.add(layout.java());
			command.addAll(layout.javaOptions());
			command.add("-XX:AOTCacheOutput=" + cache(folder, service));
			command.add("-Dspring.context.exit=onRefresh");
			command.add("-jar");
			command.add(jar(folder, service).toString());
			run(command, log, TRAIN_MINUTES, service, "training");
			if (!Files.exists(cache(folder, service))) {
				throw LauncherException.failure("training wrote no cache; see " + Stack.relative(log));
			}
			Files.writeString(folder.resolve(STAMP), stamp(layout, service, Training.REFRESH));
			Files.deleteIfExists(log);
			removeOld(parent);
		}
	}

	/** Extracts the service's jar into a new folder; returns the log of the training. */
	private static Path extract(StackPlan.Layout layout, String service, Path folder)
			throws IOException, InterruptedException {
		deleteRecursively(folder);
		Path log = folder.resolveSibling(folder.getFileName() + "-training.log");
		Files.deleteIfExists(log);
		run(List.of(layout.java(), "-Djarmode=tools", "-jar", layout.jar(service).toString(), "extract",
				"--destination", folder.toString()), log, EXTRACT_MINUTES, service, "extracting");
		return log;
	}

	/**
	 * Trains the services' caches together under load ({@link LoadTraining}), holding
	 * every service's lock (taken in a fixed order, so two launchers cannot deadlock). A
	 * service whose JVM wrote no cache is noted as failed ({@link #FAILED});
	 * {@link #prepare} then trains it to refresh.
	 */
	private static void trainUnderLoad(StackPlan.Layout layout, List<String> services, Duration workload,
			PrintStream out) {
		List<FileChannel> locks = new ArrayList<>();
		try {
			Map<String, Path> folders = new LinkedHashMap<>();
			for (String service : services.stream().sorted().toList()) {
				Path folder = folder(layout, service, Training.UNDER_LOAD);
				Files.createDirectories(folder.getParent());
				FileChannel lock = FileChannel.open(folder.getParent().resolve(".lock"), StandardOpenOption.CREATE,
						StandardOpenOption.WRITE);
				locks.add(lock);
				lock.lock();
				// Again under the lock: another launcher may have trained it, or failed
				// to.
				if (!current(layout, service, Training.UNDER_LOAD) && !failedUnderLoad(layout, service)) {
					extract(layout, service, folder);
					folders.put(service, folder);
				}
			}
			if (folders.isEmpty()) {
				return;
			}
			LoadTraining.Result result = LoadTraining.run(layout, folders, workload, out);
			out.printf("  the mix during training: %s%n", result.tally());
			for (Map.Entry<String, Path> trained : folders.entrySet()) {
				String service = trained.getKey();
				Path folder = trained.getValue();
				if (!result.trained(service)) {
					String why = result.dumped().contains(service) ? "too few of the training's requests were answered"
							: "its training JVM did not exit in time to write one whole";
					out.printf("  %s has no AOT cache trained under load: %s%n", service, why);
					markFailed(layout, service, why);
				}
				else if (Files.exists(cache(folder, service))) {
					Files.writeString(folder.resolve(STAMP), stamp(layout, service, Training.UNDER_LOAD));
					Files.deleteIfExists(folder.resolveSibling(folder.getFileName() + "-training.log"));
					removeOld(folder.getParent());
				}
				else {
					out.printf("  %s has no AOT cache trained under load: its training JVM wrote none%n", service);
					markFailed(layout, service, "its training JVM wrote none");
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw LauncherException.failure("interrupted while training the AOT cache");
			}
			String why = (ex instanceof LauncherException) ? ex.getMessage() : ex.toString();
			out.printf("  training under load failed: %s%n", why);
			services.forEach((service) -> markFailed(layout, service, why));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw LauncherException.failure("interrupted while training the AOT cache");
		}
		finally {
			for (FileChannel lock : locks) {
				try {
					lock.close();
				}
				catch (IOException ex) {
					// released with the channel
				}
			}
		}
	}

	private static void run(List<String> command, Path log, long minutes, String service, String what)
			throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		// As the services start (Stack): the shell's settings do not choose ports or
		// Redis, nor add JVM options to the training; the local profile, as the stack
		// runs it.
		Stack.withoutShellOverrides(builder.environment());
		builder.environment().put("SPRING_PROFILES_ACTIVE", "local");
		Process process = builder.start();
		try {
			if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
				throw LauncherException
					.failure(what + " took more than " + minutes + " minutes; see " + Stack.relative(log));
			}
		}
		finally {
			// The JVM that writes the cache is a child of the training one.
			if (process.isAlive()) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
			}
		}
		if (process.exitValue() != 0) {
			throw LauncherException
				.failure(what + " failed (exit " + process.exitValue() + "); see " + Stack.relative(log));
		}
	}

	/** Keeps the newest complete folders of a service. */
	private static void removeOld(Path parent) throws IOException {
		List<Path> complete;
		try (Stream<Path> folders = Files.list(parent)) {
			complete = folders.filter((folder) -> Files.exists(folder.resolve(STAMP)))
				.sorted(Comparator.comparing(AotCache::stampTime).reversed())
				.toList();
		}
		for (Path old : complete.subList(Math.min(KEPT, complete.size()), complete.size())) {
			deleteRecursively(old);
		}
	}

	private static long stampTime(Path folder) {
		try {
			return Files.getLastModifiedTime(folder.resolve(STAMP)).toMillis();
		}
		catch (IOException ex) {
			return 0;
		}
	}

	static String hash(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static void deleteRecursively(Path folder) throws IOException {
		if (!Files.exists(folder)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(folder)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
