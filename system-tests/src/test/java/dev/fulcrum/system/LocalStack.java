package dev.fulcrum.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stack started through the real {@code ./fulcrum} script, in its own state folder and
 * on free ports. Tests read what runs from the same {@code stack.tsv} that
 * {@code ./fulcrum status} reads.
 */
final class LocalStack implements AutoCloseable {

	static final Duration UP_TIMEOUT = Duration.ofMinutes(5);

	final Path root;

	final Path home;

	private final Map<String, String> environment;

	private LocalStack(Path root, Path home, Map<String, String> environment) {
		this.root = root;
		this.home = home;
		this.environment = Map.copyOf(environment);
	}

	/**
	 * Runs {@code ./fulcrum up --free-ports --api 2 --workers 2} and waits for it.
	 * @param extraArgs further options of {@code up}
	 * @return the running stack
	 */
	static LocalStack up(String... extraArgs) {
		return up(Map.of(), extraArgs);
	}

	/**
	 * Runs {@code ./fulcrum up --free-ports --api 2 --workers 2} with settings of its own
	 * and waits for it. Two replicas of each whatever the machine (on fewer than four
	 * cores {@code up} starts one of each by default): the tests balance, kill and drain
	 * them.
	 * @param environment variables that every service of the stack sees (its settings)
	 * @param extraArgs further options of {@code up}, which may ask for other replicas
	 * @return the running stack
	 */
	static LocalStack up(Map<String, String> environment, String... extraArgs) {
		Path root = Path.of(System.getProperty("fulcrum.root", "..")).toAbsolutePath().normalize();
		Path home;
		try {
			Path target = Files.createDirectories(root.resolve("system-tests/target"));
			home = Files.createTempDirectory(target, "stack-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		LocalStack stack = new LocalStack(root, home, environment);
		List<String> args = new ArrayList<>(
				List.of("up", "--free-ports", "--timeout", "240", "--api", "2", "--workers", "2"));
		args.addAll(List.of(extraArgs));
		try {
			Result result = stack.fulcrum(UP_TIMEOUT, args.toArray(String[]::new));
			if (result.exitCode() != 0) {
				throw new IllegalStateException("./fulcrum up failed (" + result.exitCode() + "):\n" + result.output());
			}
			stack.checkNothingOfTheTrainingIsLeft(result.output());
			return stack;
		}
		catch (RuntimeException ex) {
			// Whatever up managed to start is in the state folder: stop it, even on a
			// timeout.
			stack.close();
			throw ex;
		}
	}

	/**
	 * Runs {@code ./fulcrum} with this stack's state folder.
	 * @param timeout how long it may take
	 * @param args the command and its options
	 * @return its exit code and output
	 */
	Result fulcrum(Duration timeout, String... args) {
		List<String> command = new ArrayList<>(List.of("bash", this.root.resolve("fulcrum").toString()));
		command.addAll(List.of(args));
		command.addAll(List.of("--home", this.home.toString()));
		Path output = this.home.resolve("fulcrum-" + args[0] + ".out");
		try {
			ProcessBuilder builder = new ProcessBuilder(command).directory(this.root.toFile())
				.redirectErrorStream(true)
				.redirectOutput(output.toFile());
			// A worker's jobs are reclaimed 5 s after it dies instead of 30 s, so that
			// the failure tests stay short; heartbeats come often enough for that.
			builder.environment().put("WORKER_VISIBILITY_TIMEOUT", "5s");
			builder.environment().put("FULCRUM_WORKER_HEARTBEATINTERVAL", "1s");
			// Whichever system test starts a stack first trains the AOT caches under
			// load: 10 s of the mix instead of 30 proves the same and saves CI 20 s.
			builder.environment().put("FULCRUM_AOT_TRAINING_SECONDS", "10");
			builder.environment().putAll(this.environment);
			Process process = builder.start();
			try {
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					terminate(process);
					return new Result(-1, "timed out after " + timeout + ":\n" + Files.readString(output));
				}
			}
			catch (InterruptedException ex) {
				terminate(process);
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted: ./fulcrum " + String.join(" ", args), ex);
			}
			return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * SIGTERM first, so that an interrupted launcher runs its hook and stops what it
	 * started.
	 */
	private static void terminate(Process process) {
		process.descendants().forEach(ProcessHandle::destroy);
		process.destroy();
		try {
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The processes of the stack, as the launcher recorded them.
	 * @return one entry per instance
	 */
	List<Entry> instances() {
		try {
			return Files.readAllLines(this.home.resolve("stack.tsv")).stream().skip(1).map((line) -> {
				String[] f = line.split("\t");
				return new Entry(f[0], f[1], f[3], f[4], Long.parseLong(f[5]));
			}).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The base URL of the first instance of a service.
	 * @param service the service name
	 * @return its URL
	 */
	String url(String service) {
		return instances().stream().filter((e) -> e.service().equals(service)).findFirst().orElseThrow().url();
	}

	/**
	 * The stack's Redis with the password the launcher wrote to its configuration, for
	 * tests that look inside.
	 * @return {@code redis://:password@127.0.0.1:port}
	 */
	String redisUrl() {
		try {
			String password = Files.readAllLines(this.home.resolve("redis.conf"))
				.stream()
				.filter((line) -> line.startsWith("requirepass "))
				.findFirst()
				.orElseThrow()
				.substring("requirepass ".length())
				.trim();
			return url("redis").replace("redis://", "redis://:" + password + "@");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The stack's Redis as one service's own user, with the password the launcher wrote
	 * to its configuration.
	 * @param user the service, for example {@code worker-service}
	 * @return {@code redis://user:password@127.0.0.1:port}
	 */
	String redisUrl(String user) {
		try {
			String password = Files.readAllLines(this.home.resolve("redis.conf"))
				.stream()
				.filter((line) -> line.startsWith("user " + user + " on >"))
				.findFirst()
				.orElseThrow()
				.split(" ")[3].substring(1);
			return url("redis").replace("redis://", "redis://" + user + ":" + password + "@");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * What {@code ./fulcrum up} printed.
	 * @return its output
	 */
	String fulcrumUpOutput() {
		try {
			return Files.readString(this.home.resolve("fulcrum-up.out"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The management token that {@code ./fulcrum up} made for this stack and printed.
	 * @return the token
	 */
	String managementToken() {
		try {
			return Files.readString(this.home.resolve("management-token")).trim();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The actuator base URL of the first instance of a service, on its management port.
	 * @param service the service name
	 * @return for example {@code http://127.0.0.1:9080/actuator}
	 */
	String management(String service) {
		String health = instances().stream()
			.filter((e) -> e.service().equals(service))
			.findFirst()
			.orElseThrow()
			.health();
		return health.substring(0, health.indexOf("/actuator/") + "/actuator".length());
	}

	/**
	 * Every process on this machine that belongs to this stack: the launcher marks the
	 * services with the state folder ({@code -Dfulcrum.stack=...}), and Redis keeps its
	 * files there.
	 * @return the live processes
	 */
	List<ProcessHandle> liveProcesses() {
		String home = this.home.toString();
		return ProcessHandle.allProcesses()
			.filter((p) -> Arrays.stream(p.info().arguments().orElse(new String[0]))
				.anyMatch((arg) -> arg.equals("-Dfulcrum.stack=" + home) || arg.startsWith(home + "/"))
					// Redis rewrites its arguments (process title); its executable still
					// lies in the home.
					|| p.info().command().orElse("").startsWith(home + "/"))
			.filter((p) -> p.pid() != ProcessHandle.current().pid())
			.toList();
	}

	/**
	 * The first {@code up} after a build trains the AOT caches under load on a private
	 * stack in {@code <home>/aot-training-*}: once up, none of its processes may run and
	 * its folder must be gone (it is kept only when the training failed).
	 */
	private void checkNothingOfTheTrainingIsLeft(String upOutput) {
		String training = this.home + "/aot-training-";
		List<ProcessHandle> left = ProcessHandle.allProcesses()
			.filter((p) -> p.info().command().orElse("").startsWith(training) || p.info()
				.arguments()
				.map((args) -> List.of(args).stream().anyMatch((arg) -> arg.contains(training)))
				.orElse(false))
			.toList();
		try (var files = Files.list(this.home)) {
			List<Path> folders = files.filter((path) -> path.getFileName().toString().startsWith("aot-training-"))
				.toList();
			if (!left.isEmpty() || !folders.isEmpty()) {
				left.forEach(ProcessHandle::destroyForcibly);
				throw new IllegalStateException("the AOT training left " + left.size() + " process(es) and " + folders
						+ " behind; ./fulcrum up said:\n" + upOutput);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Stops the stack; safe to call twice. */
	@Override
	public void close() {
		fulcrum(Duration.ofMinutes(1), "down");
	}

	record Result(int exitCode, String output) {

		/** Fails with the output unless the command succeeded. */
		Result orThrow(String what) {
			if (this.exitCode != 0) {
				throw new IllegalStateException(what + " failed (" + this.exitCode + "):\n" + this.output);
			}
			return this;
		}

	}

	record Entry(String instance, String service, String url, String health, long pid) {
	}

}
