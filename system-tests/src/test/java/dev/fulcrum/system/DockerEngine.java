package dev.fulcrum.system;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.opentest4j.TestAbortedException;

/**
 * The Docker engine the compose system tests drive, through a client that can build the
 * Dockerfile: one with BuildKit built in (before Docker 23) or with the buildx plugin.
 * Compose is {@code docker compose} (v2) where the client has it, else
 * {@code docker-compose} (v1, which Debian packages). Without an engine the tests are
 * skipped, unless {@code FULCRUM_REQUIRE_DOCKER=1} (set by CI) makes them mandatory.
 *
 * @param client the docker client
 * @param compose the compose command, {@code [client, "compose"]} or
 * {@code ["docker-compose"]}
 */
record DockerEngine(Path client, List<String> compose) {

	/** Finds the engine, or aborts the calling test when there is none. */
	static DockerEngine find() {
		String why = "no Docker engine answers";
		for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			Path client = Path.of(directory, "docker");
			if (!Files.isExecutable(client)) {
				continue;
			}
			LocalStack.Result info = run(Duration.ofSeconds(20), Map.of(), client.toString(), "info", "--format",
					"{{.ServerVersion}}");
			if (info.exitCode() != 0) {
				why = "no Docker engine answers " + client + ": " + info.output().strip();
				continue;
			}
			if (!canBuild(client)) {
				why = client + " needs the buildx plugin to build, and has none";
				continue;
			}
			if (run(Duration.ofSeconds(20), Map.of(), client.toString(), "compose", "version").exitCode() == 0) {
				return new DockerEngine(client, List.of(client.toString(), "compose"));
			}
			if (run(Duration.ofSeconds(20), Map.of(), "docker-compose", "version").exitCode() == 0) {
				return new DockerEngine(client, List.of("docker-compose"));
			}
			why = "neither `docker compose` nor `docker-compose` is installed";
		}
		if ("1".equals(System.getenv("FULCRUM_REQUIRE_DOCKER"))) {
			throw new IllegalStateException(why + " (FULCRUM_REQUIRE_DOCKER=1)");
		}
		throw new TestAbortedException(why);
	}

	/**
	 * BuildKit is built into clients before 23.0; later ones build through buildx.
	 */
	private static boolean canBuild(Path client) {
		if (run(Duration.ofSeconds(20), Map.of(), client.toString(), "buildx", "version").exitCode() == 0) {
			return true;
		}
		String version = run(Duration.ofSeconds(20), Map.of(), client.toString(), "version", "--format",
				"{{.Client.Version}}")
			.output()
			.strip();
		try {
			return Integer.parseInt(version.substring(0, version.indexOf('.'))) < 23;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * The environment every docker and compose command gets: the chosen client first on
	 * {@code PATH} (Compose v1 builds through it) and BuildKit on.
	 */
	Map<String, String> environment() {
		Map<String, String> environment = new LinkedHashMap<>();
		environment.put("PATH", this.client.getParent() + File.pathSeparator + System.getenv("PATH"));
		environment.put("DOCKER_BUILDKIT", "1");
		environment.put("COMPOSE_DOCKER_CLI_BUILD", "1");
		return environment;
	}

	/** Runs the docker client. */
	LocalStack.Result docker(Duration timeout, String... args) {
		List<String> command = new ArrayList<>(List.of(this.client.toString()));
		command.addAll(List.of(args));
		return run(timeout, environment(), command.toArray(String[]::new));
	}

	/** Is this Compose v1 ({@code docker-compose}), which names containers with '_'? */
	boolean composeV1() {
		return this.compose.size() == 1;
	}

	private static LocalStack.Result run(Duration timeout, Map<String, String> environment, String... command) {
		return Processes.run(timeout, environment, null, List.of(command));
	}

}
