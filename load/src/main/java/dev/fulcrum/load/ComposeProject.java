package dev.fulcrum.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A running compose project, driven through the {@code docker} and compose command lines
 * as a user would: replicas with {@code up --scale}, a container's CPU quota with
 * {@code docker update} (the share a node of that size would give it), and the CPU each
 * container has used from its own cgroup.
 *
 * @param docker the docker client
 * @param compose the compose command with its project and files ({@code docker compose
 * -p lab -f docker-compose.yml -f ...})
 * @param project the project's name, as compose labels its containers
 * @param environment what the commands get beside this process's environment (the
 * variables the compose files use, {@code COMPOSE_FILE})
 */
public record ComposeProject(String docker, List<String> compose, String project, Map<String, String> environment) {

	private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

	/** The period of the CPU quotas, in microseconds. */
	static final long CPU_PERIOD_MICROS = 10_000;

	public ComposeProject {
		compose = List.copyOf(compose);
		environment = Map.copyOf(environment);
	}

	/**
	 * Sets a service's replicas, leaving the running ones as they are.
	 * @param service the service
	 * @param replicas how many
	 */
	public void scale(String service, int replicas) {
		List<String> command = new ArrayList<>(this.compose);
		command.addAll(List.of("up", "--detach", "--no-build", "--no-recreate", "--scale", service + "=" + replicas));
		run(command);
	}

	/**
	 * The running containers of a service, by replica number.
	 * @param service the service
	 * @return their names
	 */
	public List<String> containers(String service) {
		String output = run(List.of(this.docker, "ps", "--filter", "label=com.docker.compose.project=" + this.project,
				"--filter", "label=com.docker.compose.service=" + service, "--format",
				"{{.Label \"com.docker.compose.container-number\"}} {{.Names}}"));
		return output.lines()
			.map(String::strip)
			.filter((line) -> !line.isEmpty())
			.map((line) -> line.split(" ", 2))
			.sorted(Comparator.comparingInt((String[] fields) -> Integer.parseInt(fields[0])))
			.map((fields) -> fields[1])
			.toList();
	}

	/**
	 * Limits a container to a share of the machine's CPU, as a node of that size would:
	 * {@code cpus} times a 10 ms period. Docker's {@code --cpus} uses the kernel's
	 * default 100 ms period, in which a replica that spent its quota early waits for the
	 * rest of the period: at a quarter of a core, pauses of up to 75 ms that no node of a
	 * quarter of the speed would make, and that would decide every p99.
	 * @param container the container
	 * @param cpus cores (0.5: half a core); 0 lifts the limit
	 */
	public void cpus(String container, double cpus) {
		long quota = (cpus > 0) ? Math.max(1_000, Math.round(cpus * CPU_PERIOD_MICROS)) : -1;
		run(List.of(this.docker, "update", "--cpu-period", String.valueOf(CPU_PERIOD_MICROS), "--cpu-quota",
				String.valueOf(quota), container));
	}

	/**
	 * Whether a container is healthy by its own healthcheck.
	 * @param container the container
	 * @return {@code true} once Docker says so
	 */
	public boolean healthy(String container) {
		return "healthy"
			.equals(run(List.of(this.docker, "inspect", "--format", "{{.State.Health.Status}}", container)).strip());
	}

	/**
	 * The CPU time each container has used since it started, read from its cgroup (v2's
	 * {@code cpu.stat}, else v1's {@code cpuacct.usage}) in parallel: from the engine's
	 * machine where this runs there, else with {@code docker exec}.
	 * @param containers the containers
	 * @return nanoseconds by container; one that could not be read is left out
	 */
	public Map<String, Long> cpuNanos(List<String> containers) {
		Map<String, Long> nanos = new ConcurrentHashMap<>();
		if (containers.isEmpty()) {
			return nanos;
		}
		// One inspect for every container's id, then its cgroup's file where the engine's
		// machine is this one: no process in the containers, no CPU taken from them.
		Map<String, String> ids = new ConcurrentHashMap<>();
		List<String> inspect = new ArrayList<>(List.of(this.docker, "inspect", "--format", "{{.Name}} {{.Id}}"));
		inspect.addAll(containers);
		try {
			run(inspect).lines()
				.map((line) -> line.strip().split(" "))
				.filter((fields) -> fields.length == 2)
				.forEach((fields) -> ids.put(fields[0].replaceFirst("^/", ""), fields[1]));
		}
		catch (RuntimeException ex) {
			// Each is asked from inside, below.
		}
		try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
			for (String container : containers) {
				readers.execute(() -> {
					try {
						nanos.put(container, cpuNanos(container, ids.get(container)));
					}
					catch (RuntimeException ex) {
						// Gone or not yet started: left out of both readings of a step.
					}
				});
			}
		}
		return nanos;
	}

	/**
	 * The commands a Redis container has run since it started, asked with the
	 * administrator's password from its own environment ({@code REDIS_PASSWORD}).
	 * @param container the Redis container
	 * @return its {@code total_commands_processed}
	 */
	public long redisCommands(String container) {
		String output = run(List.of(this.docker, "exec", container, "sh", "-c",
				"redis-cli --no-auth-warning -a \"$REDIS_PASSWORD\" info stats"));
		return output.lines()
			.filter((line) -> line.startsWith("total_commands_processed:"))
			.map((line) -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no total_commands_processed from " + container));
	}

	private long cpuNanos(String container, String id) {
		if (id != null) {
			for (Path file : List.of(Path.of("/sys/fs/cgroup/cpuacct/docker", id, "cpuacct.usage"),
					Path.of("/sys/fs/cgroup/docker", id, "cpu.stat"),
					Path.of("/sys/fs/cgroup/system.slice", "docker-" + id + ".scope", "cpu.stat"))) {
				try {
					return cgroupNanos(Files.readString(file));
				}
				catch (IOException | RuntimeException ex) {
					// Not this layout, or another machine's engine (Docker Desktop's VM).
				}
			}
		}
		return cgroupNanos(run(List.of(this.docker, "exec", container, "sh", "-c",
				"cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpuacct/cpuacct.usage")));
	}

	/** v2's {@code cpu.stat} ({@code usage_usec}) or v1's {@code cpuacct.usage} (ns). */
	private static long cgroupNanos(String output) {
		for (String line : output.lines().toList()) {
			if (line.startsWith("usage_usec ")) {
				return Long.parseLong(line.substring("usage_usec ".length()).strip()) * 1_000;
			}
		}
		return Long.parseLong(output.strip());
	}

	private String run(List<String> command) {
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
			builder.environment().putAll(this.environment);
			Process process = builder.start();
			process.getOutputStream().close();
			// Read beside the wait, so that a command that hangs is stopped at the
			// timeout.
			CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
				try (var in = process.getInputStream()) {
					return in.readAllBytes();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}, Thread::startVirtualThread);
			if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " took longer than " + COMMAND_TIMEOUT);
			}
			String text = new String(output.join(), StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						String.join(" ", command) + " failed (" + process.exitValue() + "): " + text.strip());
			}
			return text;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted: " + String.join(" ", command), ex);
		}
	}

}
