package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * and a password, and only the gateway published. The HA variant
 * ({@code docker-compose.ha.yml} on top): a replica of the master with the master's
 * settings, three Sentinels with quorum 2 watching it, and every service finding the
 * master through them under the same name and with the same password; nothing more
 * published. ({@link SentinelFailoverTests} runs that configuration.)
 */
class ComposeFileTests {

	/** The JVM services and their replicas in compose (docs/design.md, "Services"). */
	private static final Map<String, Integer> REPLICAS = Map.of("gateway", 1, "auth-service", 2, "api-service", 3,
			"worker-service", 2);

	private final Map<String, Object> compose = Repository.yaml("docker-compose.yml");

	private final Map<String, Object> services = Repository.map(this.compose, "services");

	private final Map<String, Object> ha = Repository.yaml("docker-compose.ha.yml");

	private final Map<String, Object> haServices = Repository.map(this.ha, "services");

	/** What each Sentinel writes into its configuration, line by line, by Sentinel. */
	private final Map<String, List<String>> sentinels = sentinelConfigurations(this.haServices);

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
		assertThat(Repository.list(healthcheck, "test")).containsExactly("CMD", "healthcheck",
				Integer.toString(healthPort));
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
		// Its own Redis user (docker/redis-users.acl), with its own password.
		assertThat(Repository.map(service, "environment").get("REDIS_URL").toString())
			.startsWith("redis://" + name + ":${REDIS_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
					+ "_PASSWORD:-")
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
				assertThat(Repository.list(definition, "ports")).containsExactlyInAnyOrder("${GATEWAY_PORT:-8080}:8080",
						"127.0.0.1:${GATEWAY_MANAGEMENT_PORT:-9080}:9080");
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
		// A timer's series: _seconds_count, _seconds_bucket, and _seconds{quantile=...};
		// a
		// gauge in bytes: _bytes.
		Matcher meters = Pattern
			.compile("\\b(fulcrum_[a-z_]+?)(_seconds_count|_seconds_bucket|_seconds|_total|_bytes)?\\b")
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
		assertThat(command).contains("--appendonly yes", "--maxmemory-policy noeviction", "--requirepass",
				"sh /etc/fulcrum/redis-users.sh /etc/fulcrum/redis-users.acl /tmp/users.acl",
				"--aclfile /tmp/users.acl");
		assertThat(Repository.list(redis, "volumes")).containsExactly("redis-data:/data",
				"./docker/redis-users.acl:/etc/fulcrum/redis-users.acl:ro",
				"./docker/redis-users.sh:/etc/fulcrum/redis-users.sh:ro");
		assertThat(Repository.list(redis, "tmpfs")).as("the ACL file, in memory only").containsExactly("/tmp");
		assertThat(Repository.map(redis, "environment")).containsKeys("REDIS_PASSWORD", "REDIS_AUTH_SERVICE_PASSWORD",
				"REDIS_GATEWAY_PASSWORD", "REDIS_API_SERVICE_PASSWORD", "REDIS_WORKER_SERVICE_PASSWORD");
		assertThat(String.join(" ", Repository.list(Repository.map(redis, "healthcheck"), "test"))).contains("ping");
		assertThat(Repository.map(Repository.map(Repository.map(redis, "deploy"), "resources"), "limits"))
			.containsKey("memory");
	}

	@Test
	void theDockerfileBuildsAnyServiceIntoAJreImageWithAnAotCacheThatRunsAsAnUnprivilegedUser() throws IOException {
		List<String> lines = Files.readAllLines(Repository.root().resolve("Dockerfile"));
		List<String> stages = lines.stream().filter((line) -> line.startsWith("FROM ")).toList();
		assertThat(stages).hasSize(4);
		assertThat(stages.get(0)).startsWith("FROM eclipse-temurin:25-jdk").endsWith(" AS build");
		// One Maven run for all four images: the build stage does not depend on SERVICE.
		String build = String.join("\n", lines.subList(lines.indexOf(stages.get(0)), lines.indexOf(stages.get(1))));
		assertThat(build).contains("./mvnw", "-pl gateway,auth-service,api-service,worker-service -am")
			.doesNotContain("SERVICE}", "$SERVICE")
			.doesNotContainPattern("(?m)^\\s*ARG\\s+SERVICE");
		assertThat(stages.get(1)).isEqualTo("FROM build AS layers");
		assertThat(stages.get(2)).startsWith("FROM eclipse-temurin:25-jre").endsWith(" AS runtime");
		// The last stage is the image: the runtime and its AOT cache, still unprivileged.
		assertThat(stages.get(3)).isEqualTo("FROM runtime AS aot");
		String runtime = String.join("\n", lines.subList(lines.indexOf(stages.get(2)), lines.indexOf(stages.get(3))));
		assertThat(runtime).contains("USER 10001:10001", "ARG SERVICE")
			.contains("COPY docker/healthcheck /usr/local/bin/healthcheck")
			.doesNotContain("mvnw", "COPY . .", "apt-get")
			.contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/service.jar\"]");
		List<String> aot = lines.subList(lines.indexOf(stages.get(3)), lines.size());
		assertThat(aot).contains("USER 10001:10001").last().asString().contains("-XX:AOTCache=/app/service.aot");
		assertThat(String.join("\n", aot)).contains("-XX:AOTCacheOutput=/app/service.aot",
				"-Dspring.context.exit=onRefresh");
		String layers = String.join("\n", lines.subList(lines.indexOf(stages.get(1)), lines.indexOf(stages.get(2))));
		assertThat(layers).contains("ARG SERVICE",
				"\"${SERVICE}/target/${SERVICE}.jar\" extract --layers --destination");
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
		dockerComposeConfig("-f", "docker-compose.yml");
	}

	/**
	 * Compose accepts the HA variant too, and merges it as intended: each service keeps
	 * the base file's environment and dependencies and gains the Sentinels'.
	 */
	@Test
	void dockerComposeItselfAcceptsTheHaVariantAndMergesItIntoEveryService() throws Exception {
		String merged = dockerComposeConfig("-f", "docker-compose.yml", "-f", "docker-compose.ha.yml");
		Map<String, Object> services = Repository.map(Repository.parse(merged), "services");
		for (String name : REPLICAS.keySet()) {
			Map<String, Object> service = Repository.map(services, name);
			assertThat(Repository.map(service, "environment")).as(name)
				.containsKeys("REDIS_URL", "TOKEN_JWKS_URI", "SPRING_DATA_REDIS_SENTINEL_MASTER",
						"SPRING_DATA_REDIS_SENTINEL_NODES", "SPRING_DATA_REDIS_SENTINEL_PASSWORD");
			assertThat(Repository.map(service, "depends_on")).as(name)
				.containsKeys("redis", "redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3");
		}
	}

	/** {@code docker-compose <files> config}: its output, after checking it succeeded. */
	static String dockerComposeConfig(String... files) throws Exception {
		boolean required = "1".equals(System.getenv("FULCRUM_REQUIRE_COMPOSE"));
		boolean installed = Set.of("/usr/bin/docker-compose", "/usr/local/bin/docker-compose")
			.stream()
			.anyMatch((path) -> Files.isExecutable(Path.of(path)));
		assumeTrue(required || installed, "docker-compose is not installed");
		List<String> command = new ArrayList<>(List.of("docker-compose"));
		command.addAll(List.of(files));
		command.add("config");
		Path errors = Files.createTempFile("docker-compose-config", ".txt");
		try {
			Process process = new ProcessBuilder(command).directory(Repository.root().toFile())
				.redirectError(errors.toFile())
				.start();
			String output = new String(process.getInputStream().readAllBytes());
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(process.exitValue()).as(String.join(" ", command) + " says:\n" + Files.readString(errors))
				.isZero();
			return output;
		}
		finally {
			Files.delete(errors);
		}
	}

	@Test
	void theHaVariantAddsAReplicaAndThreeSentinelsWithHealthchecksAndLimitsAndPublishesNothing() {
		assertThat(this.haServices).containsOnlyKeys("redis", "redis-replica", "redis-sentinel-1", "redis-sentinel-2",
				"redis-sentinel-3", "gateway", "auth-service", "api-service", "worker-service");
		Map<String, Object> volumes = Repository.map(this.ha, "volumes");
		String image = Repository.map(this.services, "redis").get("image").toString();
		for (String name : List.of("redis-replica", "redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3")) {
			Map<String, Object> service = Repository.map(this.haServices, name);
			assertThat(service.get("image")).as(name).isEqualTo(image);
			assertThat(service).as(name).containsEntry("restart", "unless-stopped");
			Map<String, Object> healthcheck = Repository.map(service, "healthcheck");
			assertThat(Repository.list(healthcheck, "test")).as(name).startsWith("CMD-SHELL").hasSize(2);
			assertThat(healthcheck).as(name).containsKeys("interval", "timeout", "retries");
			assertThat(memoryLimit(service)).as(name).matches("\\d+[MG]");
			// Its own state, which Redis and Sentinel rewrite, outlives the container.
			assertThat(Repository.list(service, "volumes")).as(name).startsWith(name + "-data:/data");
			assertThat(volumes).as(name).containsKey(name + "-data");
		}
		// No profiles either: the file is the switch (see its header).
		this.haServices.forEach((name, service) -> assertThat(Repository.map(this.haServices, name)).as(name)
			.doesNotContainKeys("ports", "profiles"));
	}

	@Test
	void theReplicaRunsAsTheMasterDoesAndReplicatesItWithThePassword() {
		String base = redisServerSettings(Repository.map(this.services, "redis"), "exec redis-server ");
		String master = redisServerSettings(Repository.map(this.haServices, "redis"),
				"exec redis-server /data/redis.conf ");
		String replica = redisServerSettings(Repository.map(this.haServices, "redis-replica"),
				"exec redis-server /data/redis.conf ");
		// The base file's settings (AOF, noeviction, the password), and the password of
		// whichever master Sentinel makes it follow; each announces its DNS name.
		String password = "--requirepass \"$$REDIS_PASSWORD\"";
		assertThat(base).contains(password);
		String replication = " --masterauth \"$$REDIS_PASSWORD\" --replica-announce-ip ";
		assertThat(master).isEqualTo(base + replication + "redis");
		assertThat(replica).isEqualTo(base + replication + "redis-replica");
		assertThat(command(Repository.map(this.haServices, "redis-replica")))
			.contains("[ -f /data/redis.conf ] || echo \"replicaof redis 6379\" > /data/redis.conf");
		assertThat(Repository.map(Repository.map(this.haServices, "redis-replica"), "environment"))
			.isEqualTo(Repository.map(Repository.map(this.services, "redis"), "environment"));
		assertThat(Repository.list(Repository.map(Repository.map(this.haServices, "redis-replica"), "healthcheck"),
				"test"))
			.anyMatch((test) -> test.contains("master_link_status:up"));
	}

	@Test
	void threeSentinelsWithQuorumTwoWatchTheMasterUnderTheNameTheServicesUse() {
		String master = sentinelClient("api-service").get("SPRING_DATA_REDIS_SENTINEL_MASTER").toString();
		assertThat(this.sentinels).containsOnlyKeys("redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3");
		this.sentinels.forEach((name, lines) -> {
			Map<String, Object> service = Repository.map(this.haServices, name);
			assertThat(lines).as(name)
				.contains("port 26379", "requirepass \"$$REDIS_PASSWORD\"", "sentinel resolve-hostnames yes",
						"sentinel announce-hostnames yes", "sentinel announce-ip $$SENTINEL_HOSTNAME",
						"sentinel monitor " + master + " redis 6379 2",
						"sentinel auth-pass " + master + " \"$$REDIS_PASSWORD\"");
			assertThat(milliseconds(lines, "sentinel down-after-milliseconds " + master + " ")).as(name)
				.isBetween(1_000, 30_000);
			assertThat(milliseconds(lines, "sentinel failover-timeout " + master + " ")).as(name)
				.isBetween(10_000, 180_000);
			Map<String, Object> environment = Repository.map(service, "environment");
			// Announced by the name other Sentinels and the clients resolve.
			assertThat(environment).as(name).containsEntry("SENTINEL_HOSTNAME", name);
			assertThat(environment.get("REDIS_PASSWORD")).as(name)
				.isEqualTo(Repository.map(Repository.map(this.services, "redis"), "environment").get("REDIS_PASSWORD"));
			assertThat(String.join(" ", Repository.list(Repository.map(service, "healthcheck"), "test"))).as(name)
				.contains("sentinel ckquorum " + master);
			// Written once: Sentinel rewrites it with what it learns.
			assertThat(command(service)).as(name)
				.contains("if [ ! -f /data/sentinel.conf ]; then")
				.contains("exec redis-server /data/sentinel.conf --sentinel");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway", "auth-service", "api-service", "worker-service" })
	void everyServiceFindsTheMasterThroughTheSentinelsWithThePassword(String name) {
		Map<String, Object> environment = sentinelClient(name);
		assertThat(environment).containsOnlyKeys("SPRING_DATA_REDIS_SENTINEL_MASTER",
				"SPRING_DATA_REDIS_SENTINEL_NODES", "SPRING_DATA_REDIS_SENTINEL_PASSWORD");
		assertThat(this.sentinels.values()).allMatch((lines) -> lines
			.contains("sentinel monitor " + environment.get("SPRING_DATA_REDIS_SENTINEL_MASTER") + " redis 6379 2"));
		assertThat(environment.get("SPRING_DATA_REDIS_SENTINEL_NODES").toString().split(","))
			.containsExactlyInAnyOrderElementsOf(this.sentinels.keySet().stream().map((s) -> s + ":26379").toList());
		// The password the Sentinels and the data nodes are given, the one in REDIS_URL.
		String password = "${REDIS_PASSWORD:-local-demo-only}";
		assertThat(environment.get("SPRING_DATA_REDIS_SENTINEL_PASSWORD")).isEqualTo(password);
		assertThat(Repository.map(Repository.map(this.haServices, "redis-sentinel-1"), "environment"))
			.containsEntry("REDIS_PASSWORD", password);
		assertThat(Repository.map(Repository.map(this.services, name), "environment").get("REDIS_URL").toString())
			.startsWith("redis://" + name + ":")
			.endsWith("@redis:6379");
		Map<String, Object> dependsOn = Repository.map(Repository.map(this.haServices, name), "depends_on");
		for (String sentinel : this.sentinels.keySet()) {
			assertThat(Repository.map(dependsOn, sentinel)).containsEntry("condition", "service_healthy");
		}
	}

	private static String memoryLimit(Map<String, Object> service) {
		Map<String, Object> resources = Repository.map(Repository.map(service, "deploy"), "resources");
		return String.valueOf(Repository.map(resources, "limits").get("memory"));
	}

	/** The environment the HA file gives a service. */
	private Map<String, Object> sentinelClient(String name) {
		return Repository.map(Repository.map(this.haServices, name), "environment");
	}

	/** A {@code sh -c} command's script. */
	private static String command(Map<String, Object> service) {
		List<String> command = Repository.list(service, "command");
		assertThat(command).hasSize(3).startsWith("sh", "-c");
		return command.get(2);
	}

	/** What follows {@code prefix} in a Redis service's script, up to its end. */
	private static String redisServerSettings(Map<String, Object> service, String prefix) {
		String script = command(service);
		assertThat(script).contains(prefix);
		return script.substring(script.indexOf(prefix) + prefix.length()).strip();
	}

	private static int milliseconds(List<String> lines, String prefix) {
		return lines.stream()
			.filter((line) -> line.startsWith(prefix))
			.map((line) -> Integer.parseInt(line.substring(prefix.length()).strip()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no line " + prefix + "..."));
	}

	/**
	 * Each Sentinel's configuration: the lines of the here-document its script writes.
	 */
	private static Map<String, List<String>> sentinelConfigurations(Map<String, Object> services) {
		Map<String, List<String>> configurations = new TreeMap<>();
		services.keySet().stream().filter((name) -> name.startsWith("redis-sentinel")).forEach((name) -> {
			String script = command(Repository.map(services, name));
			Matcher document = Pattern.compile("<<EOF\n(.*?)\nEOF\n", Pattern.DOTALL).matcher(script);
			assertThat(document.find()).as(name + " writes its configuration").isTrue();
			configurations.put(name, document.group(1).lines().map(String::strip).toList());
		});
		return configurations;
	}

}
