package dev.fulcrum.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.fulcrum.load.ComposeProject;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * A compose project of the repository's own compose files, run by a {@link DockerEngine}
 * under a project name of its own and with the gateway on free ports of this machine, so
 * that it meets neither a user's stack nor anything else on 8080.
 */
final class ComposeStack implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	final Path root;

	final DockerEngine engine;

	final String project;

	final int gatewayPort;

	final int managementPort;

	private final List<String> files;

	private final Map<String, String> environment;

	ComposeStack(DockerEngine engine, String project, Map<String, String> environment, Path... files) {
		this.root = Path.of(System.getProperty("fulcrum.root", "..")).toAbsolutePath().normalize();
		this.engine = engine;
		this.project = project;
		this.gatewayPort = freePort();
		this.managementPort = freePort();
		this.files = Arrays.stream(files).map((file) -> this.root.resolve(file).toString()).toList();
		this.environment = new LinkedHashMap<>(engine.environment());
		this.environment.putAll(environment);
		this.environment.put("GATEWAY_PORT", String.valueOf(this.gatewayPort));
		this.environment.put("GATEWAY_MANAGEMENT_PORT", String.valueOf(this.managementPort));
	}

	/** The gateway, as a user calls it. */
	String gateway() {
		return "http://localhost:" + this.gatewayPort;
	}

	/** The gateway's management port (published on 127.0.0.1 only). */
	String management() {
		return "http://127.0.0.1:" + this.managementPort;
	}

	/** Runs a compose command of this project; fails unless it succeeds. */
	LocalStack.Result compose(Duration timeout, String... args) {
		List<String> command = new ArrayList<>(this.engine.compose());
		command.addAll(List.of("--project-name", this.project, "--project-directory", this.root.toString()));
		for (String file : this.files) {
			command.addAll(List.of("--file", file));
		}
		command.addAll(List.of(args));
		return Processes.run(timeout, this.environment, null, command).orThrow(String.join(" ", args));
	}

	/** This project as the scaling lab drives it, through the same commands. */
	ComposeProject project() {
		List<String> command = new ArrayList<>(this.engine.compose());
		command.addAll(List.of("--project-name", this.project, "--project-directory", this.root.toString()));
		for (String file : this.files) {
			command.addAll(List.of("--file", file));
		}
		return new ComposeProject(this.engine.client().toString(), command, this.project, this.environment);
	}

	/** The containers of this project, running or not, by their names. */
	List<String> containers() {
		return containersLabelled("com.docker.compose.project=" + this.project);
	}

	/** The containers of one service, by their names. */
	List<String> containers(String service) {
		return containersLabelled("com.docker.compose.project=" + this.project,
				"com.docker.compose.service=" + service);
	}

	private List<String> containersLabelled(String... labels) {
		List<String> command = new ArrayList<>(List.of("ps", "--all", "--format", "{{.Names}}"));
		for (String label : labels) {
			command.addAll(List.of("--filter", "label=" + label));
		}
		String names = this.engine.docker(Duration.ofSeconds(30), command.toArray(String[]::new))
			.orThrow("docker ps")
			.output();
		return names.lines().map(String::strip).filter((name) -> !name.isEmpty()).sorted().toList();
	}

	/** The container of one replica ({@code api-service}, 2), as Compose named it. */
	String container(String service, int number) {
		String separator = this.engine.composeV1() ? "_" : "-";
		return this.project + separator + service + separator + number;
	}

	/** {@code docker inspect} of one container. */
	JsonNode inspect(String container) {
		String output = this.engine.docker(Duration.ofSeconds(30), "inspect", container)
			.orThrow("docker inspect " + container)
			.output();
		return JSON.readTree(output).get(0);
	}

	/**
	 * Waits until every container of the project that has a healthcheck is healthy, every
	 * other one runs, and every one-shot (such as the cluster variant's
	 * {@code redis-cluster-init}) has exited 0.
	 */
	void awaitHealthy(Duration atMost) {
		await().atMost(atMost).pollInterval(Duration.ofSeconds(2)).until(() -> {
			List<String> containers = containers();
			return !containers.isEmpty() && containers.stream().allMatch((name) -> {
				JsonNode state = inspect(name).get("State");
				if (!state.path("Health").isMissingNode()) {
					return "healthy".equals(state.at("/Health/Status").asString());
				}
				String status = state.get("Status").asString();
				return "running".equals(status) || ("exited".equals(status) && state.get("ExitCode").asInt() == 0);
			});
		});
	}

	/** What is left of the project in the engine: containers, networks and volumes. */
	List<String> leftovers() {
		List<String> left = new ArrayList<>();
		String label = "label=com.docker.compose.project=" + this.project;
		for (String kind : List.of("container", "network", "volume")) {
			List<String> command = new ArrayList<>(List.of(kind, "ls", "--quiet", "--filter", label));
			if (kind.equals("container")) {
				command.add("--all");
			}
			String output = this.engine.docker(Duration.ofSeconds(30), command.toArray(String[]::new))
				.orThrow("docker " + kind + " ls")
				.output();
			output.lines().filter((line) -> !line.isBlank()).forEach((id) -> left.add(kind + " " + id));
		}
		return left;
	}

	/** {@code down -v}: whatever the tests did, nothing of the project stays. */
	@Override
	public void close() {
		compose(Duration.ofMinutes(3), "down", "--volumes", "--remove-orphans", "--timeout", "30");
	}

	/** Writes a compose file of the test's own beside the build output. */
	static Path writeFile(String name, String yaml) {
		try {
			Path target = Path.of(System.getProperty("fulcrum.root", "..")).resolve("system-tests/target");
			Files.createDirectories(target);
			return Files.writeString(target.resolve(name), yaml).toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
