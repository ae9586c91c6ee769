package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code docker-compose.yml} held against the services it runs: one name per service
 * everywhere (compose service = Maven module = {@code spring.application.name} = build
 * argument), the ports each application listens on, healthchecks on those ports, start-up
 * order on health, memory limits, the replicas of the design, Redis with AOF, noeviction
 * and a password, and only the gateway published.
 */
class ComposeFileTests {

	/** The JVM services and their replicas in compose (DESIGN.md). */
	private static final Map<String, Integer> REPLICAS = Map.of("gateway", 1, "auth-service", 2, "api-service", 3,
			"worker-service", 2);

	private final Map<String, Object> compose = Repository.yaml("docker-compose.yml");

	private final Map<String, Object> services = Repository.map(this.compose, "services");

	@Test
	void runsRedisAndTheFourServicesAndKeepsTheRestInProfiles() {
		Map<String, Object> always = new TreeMap<>(this.services);
		always.keySet().removeIf((name) -> Repository.map(this.services, name).containsKey("profiles"));
		assertThat(always).containsOnlyKeys("redis", "gateway", "auth-service", "api-service", "worker-service");
		assertThat(Repository.list(Repository.map(this.services, "prometheus"), "profiles"))
			.containsExactly("observability");
		assertThat(Repository.list(Repository.map(this.services, "grafana"), "profiles"))
			.containsExactly("observability");
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway", "auth-service", "api-service", "worker-service" })
	void buildsEachServiceFromItsModuleUnderItsOwnName(String name) {
		Map<String, Object> service = Repository.map(this.services, name);
		assertThat(Repository.application(name).name()).isEqualTo(name);
		assertThat(Repository.map(service, "build")).containsEntry("context", ".");
		assertThat(Repository.map(Repository.map(service, "build"), "args")).containsEntry("SERVICE", name);
		assertThat(service.get("image")).isEqualTo("fulcrum/" + name + ":local");
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway", "auth-service", "api-service", "worker-service" })
	void listensWhereTheApplicationDoesAndIsCheckedThere(String name) {
		Map<String, Object> service = Repository.map(this.services, name);
		Map<String, Object> environment = Repository.map(service, "environment");
		Repository.Application application = Repository.application(name);
		assertThat(environment.get("SERVER_PORT")).isEqualTo(Integer.toString(application.port()));
		int healthPort = application.port();
		if (application.managementPort() != null) {
			assertThat(environment.get("MANAGEMENT_PORT")).isEqualTo(Integer.toString(application.managementPort()));
			healthPort = application.managementPort();
		}
		Map<String, Object> healthcheck = Repository.map(service, "healthcheck");
		assertThat(Repository.list(healthcheck, "test")).containsExactly("CMD", "curl", "-fsS",
				"http://localhost:" + healthPort + "/actuator/health/readiness");
		assertThat(healthcheck).containsKeys("interval", "timeout", "retries", "start_period");
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway", "auth-service", "api-service", "worker-service" })
	void startsAfterRedisIsHealthyWithItsReplicasAndAMemoryLimit(String name) {
		Map<String, Object> service = Repository.map(this.services, name);
		assertThat(Repository.map(Repository.map(service, "depends_on"), "redis")).containsEntry("condition",
				"service_healthy");
		Map<String, Object> deploy = Repository.map(service, "deploy");
		assertThat(deploy.getOrDefault("replicas", 1)).isEqualTo(REPLICAS.get(name));
		assertThat(String.valueOf(Repository.map(Repository.map(deploy, "resources"), "limits").get("memory")))
			.matches("\\d+[MG]");
		assertThat(Repository.map(service, "environment").get("REDIS_URL").toString()).startsWith("redis://:")
			.endsWith("@redis:6379");
	}

	@Test
	void theGatewayFindsTheReplicasByTheirServiceNamesAndPorts() {
		Map<String, Object> gateway = Repository.map(this.services, "gateway");
		Map<String, Object> environment = Repository.map(gateway, "environment");
		assertThat(URI.create(environment.get("API_SERVICE_DNS").toString()))
			.isEqualTo(URI.create("http://api-service:" + Repository.application("api-service").port()));
		assertThat(URI.create(environment.get("AUTH_SERVICE_DNS").toString()))
			.isEqualTo(URI.create("http://auth-service:" + Repository.application("auth-service").port()));
		for (String name : List.of("gateway", "api-service")) {
			assertThat(Repository.map(Repository.map(this.services, name), "environment").get("TOKEN_JWKS_URI"))
				.isEqualTo("http://auth-service:" + Repository.application("auth-service").port()
						+ "/.well-known/jwks.json");
		}
		Map<String, Object> dependsOn = Repository.map(gateway, "depends_on");
		for (String upstream : List.of("auth-service", "api-service")) {
			assertThat(Repository.map(dependsOn, upstream)).containsEntry("condition", "service_healthy");
		}
	}

	@Test
	void onlyTheGatewayIsPublishedAndEverythingElseOnlyOnLoopback() {
		this.services.forEach((name, service) -> {
			Map<String, Object> definition = Repository.map(this.services, name);
			if (name.equals("gateway")) {
				assertThat(Repository.list(definition, "ports")).containsExactlyInAnyOrder("8080:8080",
						"127.0.0.1:9080:9080");
			}
			else if (definition.containsKey("profiles")) {
				assertThat(Repository.list(definition, "ports")).as(name)
					.allMatch((port) -> port.startsWith("127.0.0.1:"));
			}
			else {
				assertThat(definition).as(name).doesNotContainKey("ports");
			}
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway", "auth-service", "api-service", "worker-service" })
	void prometheusScrapesEveryReplicaWhereItsMetricsAre(String name) {
		Repository.Application application = Repository.application(name);
		int port = (application.managementPort() != null) ? application.managementPort() : application.port();
		Map<String, Object> job = Repository.maps(Repository.yaml("observability/prometheus.yml").get("scrape_configs"))
			.stream()
			.filter((config) -> name.equals(config.get("job_name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no scrape job " + name));
		assertThat(job).containsEntry("metrics_path", "/actuator/prometheus").containsEntry("honor_labels", true);
		Map<String, Object> discovery = Repository.maps(job.get("dns_sd_configs")).get(0);
		assertThat(Repository.list(discovery, "names")).containsExactly(name);
		assertThat(discovery).containsEntry("type", "A").containsEntry("port", port);
		assertThat(Repository.list(Repository.map(this.services, "prometheus"), "volumes"))
			.contains("./observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
	}

	/**
	 * Every Fulcrum meter a dashboard panel queries is one the code registers, so a
	 * renamed meter cannot leave an empty panel behind.
	 */
	@Test
	void theDashboardQueriesMetersThatExist() throws IOException {
		Map<String, Object> dashboard = Repository.yaml("observability/grafana/dashboards/fulcrum.json");
		List<String> expressions = Repository.maps(dashboard.get("panels"))
			.stream()
			.flatMap((panel) -> Repository.maps(panel.get("targets")).stream())
			.map((target) -> target.get("expr").toString())
			.toList();
		assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
		String sources;
		try (Stream<Path> files = Files.walk(Repository.root())) {
			sources = files
				.filter((file) -> file.toString().endsWith(".java") && file.toString().contains("/src/main/"))
				.map(ComposeFileTests::read)
				.collect(Collectors.joining("\n"));
		}
		Matcher meters = Pattern.compile("\\b(fulcrum_[a-z_]+?)(_seconds_count|_seconds_bucket|_total)?\\b")
			.matcher(String.join(" ", expressions));
		int found = 0;
		while (meters.find()) {
			found++;
			String meter = meters.group(1).replace('_', '.');
			assertThat(sources).as("a meter named " + meter).contains("\"" + meter + "\"");
		}
		assertThat(found).isGreaterThanOrEqualTo(8);
		assertThat(Repository.list(Repository.map(this.services, "grafana"), "volumes")).containsExactlyInAnyOrder(
				"./observability/grafana/provisioning:/etc/grafana/provisioning:ro",
				"./observability/grafana/dashboards:/var/lib/grafana/dashboards:ro");
		assertThat(Repository.root().resolve("observability/grafana/provisioning/datasources/prometheus.yml"))
			.isRegularFile();
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void redisKeepsItsDataRefusesToEvictAndWantsAPassword() {
		Map<String, Object> redis = Repository.map(this.services, "redis");
		assertThat(redis.get("image").toString()).startsWith("redis:7");
		String command = String.join(" ", Repository.list(redis, "command"));
		assertThat(command).contains("--appendonly yes", "--maxmemory-policy noeviction", "--requirepass");
		assertThat(Repository.list(redis, "volumes")).containsExactly("redis-data:/data");
		assertThat(String.join(" ", Repository.list(Repository.map(redis, "healthcheck"), "test"))).contains("ping");
		assertThat(Repository.map(Repository.map(Repository.map(redis, "deploy"), "resources"), "limits"))
			.containsKey("memory");
	}

	@Test
	void theDockerfileBuildsAnyServiceIntoAJreImageThatRunsAsAnUnprivilegedUser() throws IOException {
		List<String> lines = Files.readAllLines(Repository.root().resolve("Dockerfile"));
		List<String> stages = lines.stream().filter((line) -> line.startsWith("FROM ")).toList();
		assertThat(stages).hasSize(2);
		assertThat(stages.get(0)).startsWith("FROM eclipse-temurin:25-jdk").endsWith(" AS build");
		assertThat(stages.get(1)).startsWith("FROM eclipse-temurin:25-jre").endsWith(" AS runtime");
		String runtime = String.join("\n", lines.subList(lines.indexOf(stages.get(1)), lines.size()));
		assertThat(runtime).contains("USER 10001:10001", "ARG SERVICE")
			.doesNotContain("mvnw", "COPY . .")
			.contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
		assertThat(String.join("\n", lines)).contains("./mvnw", "-pl \"${SERVICE}\"", "extract --layers --launcher");
		assertThat(Files.readAllLines(Repository.root().resolve(".dockerignore"))).contains("**/target/", ".git/");
	}

	/**
	 * The Compose implementation itself agrees that the file is valid:
	 * {@code docker-compose
	 * config} (Debian's docker-compose), where installed; CI installs it and sets
	 * {@code FULCRUM_REQUIRE_COMPOSE=1}, so there it cannot be skipped.
	 */
	@Test
	void dockerComposeItselfAcceptsTheFile() throws Exception {
		boolean required = "1".equals(System.getenv("FULCRUM_REQUIRE_COMPOSE"));
		boolean installed = Set.of("/usr/bin/docker-compose", "/usr/local/bin/docker-compose")
			.stream()
			.anyMatch((path) -> Files.isExecutable(Path.of(path)));
		assumeTrue(required || installed, "docker-compose is not installed");
		Process process = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config", "-q")
			.directory(Repository.root().toFile())
			.redirectErrorStream(true)
			.start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.exitValue()).as(output).isZero();
	}

}
