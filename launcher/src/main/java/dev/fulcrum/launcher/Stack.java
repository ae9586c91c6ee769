package dev.fulcrum.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.launcher.StackState.Running;

/**
 * Starts, checks and stops the processes of a stack kept in one state folder.
 * <p>
 * Every process runs in a session of its own ({@code setsid}), so it outlives the
 * launcher and a Ctrl-C in the terminal does not reach it; {@code down} stops it with
 * SIGTERM, then SIGKILL after a grace period.
 */
final class Stack {

	static final Duration STOP_GRACE = Duration.ofSeconds(20);

	private static final Duration POLL = Duration.ofMillis(250);

	private final Path home;

	private final PrintStream out;

	private final PrintStream err;

	private boolean interrupted;

	Stack(Path home, PrintStream out, PrintStream err) {
		this.home = home;
		this.out = out;
		this.err = err;
	}

	/**
	 * Starts every instance of the plan and waits until all are healthy. On any failure
	 * it stops what it started and throws, naming the instance and its log.
	 * @param plan the instances, in start order
	 * @param timeout how long to wait for all to become healthy
	 * @return the running processes
	 */
	List<Running> up(List<Instance> plan, Duration timeout) {
		// Shared with the shutdown hook, which stops everything if the user interrupts
		// start-up.
		List<Running> running = new CopyOnWriteArrayList<>();
		Map<Instance, Process> processes = new LinkedHashMap<>();
		Thread cleanup = new Thread(() -> {
			synchronized (this) {
				this.interrupted = true;
				stop(running);
				StackState.clear(this.home);
			}
		}, "fulcrum-interrupted-up");
		Runtime.getRuntime().addShutdownHook(cleanup);
		try {
			long deadline = System.nanoTime() + timeout.toNanos();
			for (Instance instance : plan) {
				Process process = startAndRecord(instance, running);
				processes.put(instance, process);
				if (instance.service().equals(StackPlan.REDIS)) {
					// Everything else needs Redis: wait for it before starting the
					// services.
					awaitHealthy(Map.of(instance, process), deadline, timeout);
				}
			}
			Map<Instance, Process> services = new LinkedHashMap<>(processes);
			services.keySet().removeIf((instance) -> instance.service().equals(StackPlan.REDIS));
			awaitHealthy(services, deadline, timeout);
			// One that passed its check early may have died since, or another process
			// answered for it.
			for (var entry : processes.entrySet()) {
				if (!entry.getValue().isAlive()) {
					throw failed(entry.getKey(),
							"exited after start-up (exit code " + entry.getValue().exitValue() + ")");
				}
			}
			return List.copyOf(running);
		}
		catch (RuntimeException ex) {
			int stopped = stop(running).size();
			StackState.clear(this.home);
			String reason = (ex instanceof LauncherException) ? ex.getMessage() : "start-up failed: " + ex;
			throw new LauncherException(reason + "; stopped the " + stopped + " process(es) it had started",
					(ex instanceof LauncherException launcher) ? launcher.exitCode() : 1);
		}
		finally {
			try {
				Runtime.getRuntime().removeShutdownHook(cleanup);
			}
			catch (IllegalStateException ex) {
				// the JVM is already shutting down: the hook does the cleanup
			}
		}
	}

	/**
	 * Starts one instance and records it, atomically with respect to the shutdown hook,
	 * so that an interrupted {@code up} never leaves a started process out of what it
	 * stops.
	 */
	private synchronized Process startAndRecord(Instance instance, List<Running> running) {
		if (this.interrupted) {
			throw LauncherException.failure("interrupted");
		}
		Process process = spawn(this.home, instance, false);
		running.add(Running.of(instance, process.toHandle()));
		StackState.write(this.home, running);
		return process;
	}

	/**
	 * Starts one instance in a session of its own, its output in its log.
	 * @param home the state folder, the process's working folder
	 * @param instance what to start
	 * @param append whether to keep what its log holds (a restart: the log says why the
	 * last one died)
	 * @return the process
	 */
	static Process spawn(Path home, Instance instance, boolean append) {
		try {
			Files.createDirectories(instance.log().getParent());
			List<String> command = new ArrayList<>();
			if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
				command.add("/usr/bin/setsid");
			}
			command.addAll(instance.command());
			File log = instance.log().toFile();
			ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
				.redirectErrorStream(true)
				.redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log) : ProcessBuilder.Redirect.to(log))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
			withoutShellOverrides(builder.environment());
			builder.environment().putAll(instance.environment());
			return builder.start();
		}
		catch (IOException ex) {
			throw LauncherException.failure(instance.name() + " could not be started (" + ex.getMessage()
					+ "); its log: " + relative(instance.log()));
		}
	}

	/**
	 * Removes the settings of the user's shell that must not override what the plan
	 * decides for a service: its ports, its Redis, and the JVM options of an AOT cache's
	 * training (the JDK adds {@code JDK_AOT_VM_OPTIONS} to the JVM that writes a cache).
	 * The tracing settings ({@code MANAGEMENT_TRACING_*}: sampling, where spans go) are
	 * the user's to give.
	 * @param environment a process's environment, changed in place
	 */
	static void withoutShellOverrides(Map<String, String> environment) {
		environment.keySet()
			.removeIf((name) -> name.startsWith("SERVER_")
					|| (name.startsWith("MANAGEMENT_") && !name.startsWith("MANAGEMENT_TRACING_"))
					|| name.startsWith("SPRING_DATA_REDIS_") || name.equals("JDK_AOT_VM_OPTIONS"));
	}

	private void awaitHealthy(Map<Instance, Process> pending, long deadline, Duration timeout) {
		Map<Instance, Process> waiting = new LinkedHashMap<>(pending);
		long started = System.nanoTime();
		while (!waiting.isEmpty()) {
			// Ask all pending instances at once: one slow answer must not delay the
			// others.
			Map<Instance, CompletableFuture<Boolean>> answers = new LinkedHashMap<>();
			waiting.keySet()
				.forEach((instance) -> answers.put(instance,
						CompletableFuture.supplyAsync(() -> instance.health().isHealthy())));
			for (var answer : answers.entrySet()) {
				Instance instance = answer.getKey();
				Process process = waiting.get(instance);
				if (answer.getValue().join()) {
					waiting.remove(instance);
					this.out.printf("  %-18s healthy after %.1fs%n", instance.name(),
							(System.nanoTime() - started) / 1e9);
				}
				else if (!process.isAlive()) {
					throw failed(instance, "exited during start-up (exit code " + process.exitValue() + ")");
				}
			}
			if (!waiting.isEmpty() && System.nanoTime() > deadline) {
				Instance late = waiting.keySet().iterator().next();
				throw failed(late, "did not become healthy within " + timeout.toSeconds() + "s (checked "
						+ late.health().target() + ")");
			}
			sleep(POLL);
		}
	}

	private LauncherException failed(Instance instance, String what) {
		tail(instance.log(), 15).forEach((line) -> this.err.println("  | " + line));
		return LauncherException.failure(instance.name() + " " + what + "; its log: " + relative(instance.log()));
	}

	/**
	 * Starts the supervisor of a stack that is up, and records it with the rest.
	 * @param supervisor the supervisor's instance
	 * @param running the stack's processes
	 * @return the processes, the supervisor with them
	 */
	synchronized List<Running> startSupervisor(Instance supervisor, List<Running> running) {
		List<Running> all = new ArrayList<>(running);
		Process process = spawn(this.home, supervisor, false);
		all.add(Running.of(supervisor, process.toHandle()));
		// The supervisor waits for this line before it reads or writes the table.
		StackState.write(this.home, all);
		return List.copyOf(all);
	}

	/**
	 * Stops the given processes, front to back: the supervisor first (nothing is
	 * restarted any more), the gateway (no new requests come in), then the services (they
	 * finish what they hold while Redis still answers), Redis last. Each tier gets
	 * SIGTERM, then SIGKILL after the grace period. A pid that now belongs to another
	 * program is left alone.
	 * @param processes what to stop
	 * @return the processes that were running and are now stopped
	 */
	static List<Running> stop(List<Running> processes) {
		List<Running> stopped = new ArrayList<>();
		for (int tier = 3; tier >= 0; tier--) {
			int current = tier;
			List<Running> group = processes.stream().filter((r) -> tier(r) == current).toList();
			List<ProcessHandle> live = new ArrayList<>();
			for (Running running : group) {
				running.process().ifPresent((process) -> {
					// The supervisor's children are instances it started: each is stopped
					// in its own tier, not with the supervisor.
					List<ProcessHandle> tree = new ArrayList<>(
							running.service().equals(Supervisor.SERVICE) ? List.of() : process.descendants().toList());
					tree.add(process);
					tree.forEach(ProcessHandle::destroy);
					live.addAll(tree);
					stopped.add(running);
				});
			}
			long deadline = System.nanoTime() + STOP_GRACE.toNanos();
			for (ProcessHandle process : live) {
				long left = Math.max(0, deadline - System.nanoTime());
				try {
					process.onExit().get(left, TimeUnit.NANOSECONDS);
				}
				catch (Exception ex) {
					process.destroyForcibly();
					process.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally((e) -> process).join();
				}
			}
		}
		return stopped;
	}

	private static int tier(Running running) {
		return switch (running.service()) {
			case StackPlan.REDIS, StackPlan.ZIPKIN -> 0;
			case "gateway" -> 2;
			case Supervisor.SERVICE -> 3;
			default -> 1;
		};
	}

	/**
	 * Fails when a port of the plan is taken, naming the instance that needs it.
	 * @param plan the instances
	 */
	static void checkPortsFree(List<Instance> plan) {
		for (Instance instance : plan) {
			List<Integer> ports = new ArrayList<>(List.of(instance.port()));
			Optional.ofNullable(instance.environment().get("MANAGEMENT_PORT"))
				.map(Integer::valueOf)
				.ifPresent(ports::add);
			for (int port : ports) {
				if (!isFree(port)) {
					throw LauncherException.failure("port " + port + " is already in use, needed by " + instance.name()
							+ " (is another stack running? try ./fulcrum status, or up --port-offset N)");
				}
			}
		}
	}

	static boolean isFree(int port) {
		// Bound like the services (loopback, SO_REUSEADDR): a listener anywhere on the
		// port still conflicts, connections in TIME_WAIT after a recent down do not.
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static List<String> tail(Path file, int lines) {
		try {
			List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of();
			return all.subList(Math.max(0, all.size() - lines), all.size());
		}
		catch (IOException | UncheckedIOException ex) {
			return List.of("(cannot read " + file + ": " + ex.getMessage() + ")");
		}
	}

	static String relative(Path path) {
		Path cwd = Path.of("").toAbsolutePath();
		return path.startsWith(cwd) ? cwd.relativize(path).toString() : path.toString();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw LauncherException.failure("interrupted");
		}
	}

}
