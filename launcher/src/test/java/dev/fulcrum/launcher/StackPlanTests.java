package dev.fulcrum.launcher;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StackPlanTests {

	static final RedisUsers USERS = new RedisUsers("s3cret", Map.of("auth-service", "pw-auth", "gateway", "pw-gateway",
			"api-service", "pw-api", "worker-service", "pw-worker"));

	static final StackPlan.Layout LAYOUT = new StackPlan.Layout(Path.of("/repo"), Path.of("/repo/.fulcrum"),
			"/jdk/bin/java", List.of("-Xmx256m"), Map.of());

	@Test
	void usesThePortsOfTheDesignInStartOrder() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		assertThat(plan).extracting(Instance::name)
			.containsExactly("redis", "auth-service-1", "api-service-1", "api-service-2", "worker-service-1",
					"worker-service-2", "gateway-1");
		assertThat(plan).extracting(Instance::port).containsExactly(6379, 8081, 8091, 8092, 8095, 8096, 8080);
		assertThat(plan.get(2).environment()).containsEntry("MANAGEMENT_PORT", "9091")
			.containsEntry("INSTANCE_ID", "api-service-1")
			.containsEntry("REDIS_URL", "redis://api-service:pw-api@127.0.0.1:6379")
			.containsEntry("SPRING_PROFILES_ACTIVE", "local")
			.containsEntry("TOKEN_JWKS_URI", "http://127.0.0.1:8081/.well-known/jwks.json");
		assertThat(plan.getLast().environment()).containsEntry("TOKEN_JWKS_URI",
				"http://127.0.0.1:8081/.well-known/jwks.json");
		assertThat(plan.get(2).command()).containsSequence("-jar", "/repo/api-service/target/api-service.jar");
	}

	@Test
	void tracesEveryRequestAndWithTracingStartsZipkinOnLoopbackForEveryServiceToSendTo() {
		List<Instance> plain = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		assertThat(plain).extracting(Instance::service).doesNotContain("zipkin");
		assertThat(plain.subList(1, plain.size())).allSatisfy((instance) -> assertThat(instance.environment())
			.containsEntry("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "1.0")
			.doesNotContainKey("MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT"));

		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up", "--tracing"), LAYOUT.home(), 2), LAYOUT, null,
				USERS, "t0ken");
		assertThat(plan).extracting(Instance::name)
			.containsExactly("redis", "zipkin", "auth-service-1", "api-service-1", "api-service-2", "worker-service-1",
					"worker-service-2", "gateway-1");
		Instance zipkin = plan.get(1);
		assertThat(zipkin.port()).isEqualTo(9411);
		assertThat(zipkin.url()).isEqualTo("http://localhost:9411/zipkin/");
		assertThat(zipkin.command()).containsSequence("-jar", "/repo/launcher/target/zipkin/zipkin-server.jar")
			.contains("--armeria.ports[0].port=9411", "--armeria.ports[0].ip=127.0.0.1");
		assertThat(zipkin.environment()).containsEntry("STORAGE_TYPE", "mem");
		assertThat(plan.subList(2, plan.size())).allSatisfy((instance) -> assertThat(instance.environment())
			.containsEntry("MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT", "http://127.0.0.1:9411/api/v2/spans"));
		assertThat(StackPlan
			.withJavaCommands(plan, LAYOUT.withAotCaches(Map.of("gateway", Path.of("/repo/gateway/target/aot/cd34"))))
			.get(1)).as("no AOT cache for Zipkin").isEqualTo(zipkin);
	}

	@Test
	void withAnAotCacheAServiceRunsFromItsExtractedJarAndItsCacheTheOthersFromTheirJars() {
		List<Instance> plain = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		StackPlan.Layout layout = LAYOUT.withAotCaches(Map.of("api-service",
				Path.of("/repo/api-service/target/aot/ab12"), "gateway", Path.of("/repo/gateway/target/aot/cd34")));

		List<Instance> plan = StackPlan.withJavaCommands(plain, layout);

		assertThat(plan.get(2).command()).containsSequence(
				"-XX:AOTCache=/repo/api-service/target/aot/ab12/api-service.aot", "-jar",
				"/repo/api-service/target/aot/ab12/api-service.jar");
		assertThat(plan.getLast().command()).containsSequence("-XX:AOTCache=/repo/gateway/target/aot/cd34/gateway.aot",
				"-jar", "/repo/gateway/target/aot/cd34/gateway.jar");
		assertThat(plan.get(1).command()).as("auth-service: no cache")
			.containsSequence("-jar", "/repo/auth-service/target/auth-service.jar")
			.noneMatch((argument) -> argument.startsWith("-XX:AOTCache"));
		assertThat(plan.getFirst()).as("Redis").isEqualTo(plain.getFirst());
		assertThat(plan).extracting(Instance::environment)
			.isEqualTo(plain.stream().map(Instance::environment).toList());
	}

	@Test
	void keepsTheRedisPasswordOffCommandLinesAndOutOfTheDisplayedUrl() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		Instance redis = plan.getFirst();
		assertThat(redis.url()).isEqualTo("redis://127.0.0.1:6379");
		assertThat(redis.command()).contains("/repo/.fulcrum/redis.conf");
		assertThat(plan)
			.allSatisfy((instance) -> assertThat(instance.command()).noneMatch((arg) -> arg.contains("s3cret")));
		assertThat(plan)
			.allSatisfy((instance) -> assertThat(instance.command()).noneMatch((arg) -> arg.contains("pw-")));
	}

	@Test
	void connectsEveryServiceAsItsOwnRedisUser() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		Map<String, String> expected = Map.of("auth-service", "auth-service:pw-auth", "gateway", "gateway:pw-gateway",
				"api-service", "api-service:pw-api", "worker-service", "worker-service:pw-worker");
		assertThat(plan).filteredOn((instance) -> !instance.service().equals("redis"))
			.allSatisfy((instance) -> assertThat(instance.environment().get("REDIS_URL"))
				.isEqualTo("redis://" + expected.get(instance.service()) + "@127.0.0.1:6379"));
	}

	@Test
	void writesEachServicesUserFromTheRulesWithItsPassword() {
		List<String> directives = USERS.directives(Path.of("..").toAbsolutePath().normalize());
		assertThat(directives).hasSize(4);
		assertThat(directives).allSatisfy((directive) -> assertThat(directive).doesNotContain("_PASSWORD"));
		assertThat(directives)
			.anySatisfy((directive) -> assertThat(directive).startsWith("user worker-service on >pw-worker ")
				.contains("~fulcrum:{jobs*}:*")
				.doesNotContain("fulcrum:auth", "fulcrum:revoked", "&"));
	}

	@Test
	void givesEveryServiceTheManagementTokenInItsEnvironmentNeverOnItsCommandLine() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		assertThat(plan).filteredOn((instance) -> !instance.service().equals("redis"))
			.hasSize(6)
			.allSatisfy((instance) -> assertThat(instance.environment()).containsEntry("MANAGEMENT_TOKEN", "t0ken"));
		assertThat(plan)
			.allSatisfy((instance) -> assertThat(instance.command()).noneMatch((arg) -> arg.contains("t0ken")));
	}

	@Test
	void pointsTheGatewayAtTheFileOfTheApiReplicasWhichTheSupervisorKeeps() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up", "--api", "3"), LAYOUT.home(), 2), LAYOUT, null,
				USERS, "t0ken");
		Instance gateway = plan.getLast();
		assertThat(gateway.environment())
			.containsEntry("API_SERVICE_FILE", LAYOUT.home().resolve("upstreams/api-service").toString())
			.containsEntry("AUTH_SERVICE_URLS", "http://127.0.0.1:8081")
			.doesNotContainKey("API_SERVICE_URLS");
	}

	@Test
	void plansAnotherReplicaLikeTheFirstOnItsOwnPorts() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		Instance first = plan.stream().filter((i) -> i.name().equals("api-service-1")).findFirst().orElseThrow();
		Instance third = StackPlan.replica(first, "api-service-3", 8093, 9093, LAYOUT.log("api-service-3"));
		assertThat(third.command()).isEqualTo(first.command());
		assertThat(third.environment()).containsEntry("INSTANCE_ID", "api-service-3")
			.containsEntry("SERVER_PORT", "8093")
			.containsEntry("MANAGEMENT_PORT", "9093")
			.containsEntry("REDIS_URL", first.environment().get("REDIS_URL"));
		assertThat(third.health().target()).isEqualTo("http://127.0.0.1:9093/actuator/health/readiness");
		Instance worker = plan.stream().filter((i) -> i.name().equals("worker-service-1")).findFirst().orElseThrow();
		Instance thirdWorker = StackPlan.replica(worker, "worker-service-3", 8097, 0, LAYOUT.log("worker-service-3"));
		assertThat(thirdWorker.environment()).doesNotContainKey("MANAGEMENT_PORT");
		assertThat(thirdWorker.health().target()).isEqualTo("http://127.0.0.1:8097/actuator/health/readiness");
	}

	@Test
	void movesWorkersUpRatherThanCollideWithManyApis() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up", "--api", "5"), LAYOUT.home(), 2), LAYOUT, null,
				USERS, "t0ken");
		assertThat(plan).filteredOn((i) -> i.service().equals("worker-service"))
			.extracting(Instance::port)
			.containsExactly(8096, 8097);
	}

	@Test
	void shiftsEveryPortByTheOffset() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up", "--port-offset", "100"), LAYOUT.home(), 2),
				LAYOUT, null, USERS, "t0ken");
		assertThat(plan).extracting(Instance::port).containsExactly(6479, 8181, 8191, 8192, 8195, 8196, 8180);
	}

	@Test
	void givesTheGatewayTheBalancingStrategyAskedFor() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up", "--lb", "least-connections"), LAYOUT.home()),
				LAYOUT, null, USERS, "t0ken");
		assertThat(plan.getLast().service()).isEqualTo("gateway");
		assertThat(plan.getLast().environment()).containsEntry("GATEWAY_LB_STRATEGY", "least-connections");
		assertThat(StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT, null, USERS, "t0ken")
			.getLast()
			.environment()).doesNotContainKey("GATEWAY_LB_STRATEGY");
	}

	@Test
	void startsNoRedisWhenOneIsGiven() {
		List<Instance> plan = StackPlan.plan(Options.parse(List.of("up"), LAYOUT.home(), 2), LAYOUT,
				URI.create("redis://cache.internal:6380"), USERS, "t0ken");
		assertThat(plan).extracting(Instance::service).doesNotContain("redis");
		assertThat(plan.getFirst().environment()).containsEntry("REDIS_URL", "redis://cache.internal:6380");
	}

	@Test
	void freePortsAreAllDifferent() {
		List<Instance> plan = StackPlan.plan(
				Options.parse(List.of("up", "--free-ports", "--api", "4"), LAYOUT.home(), 2), LAYOUT, null, USERS,
				"t0ken");
		List<String> ports = plan.stream()
			.flatMap((i) -> java.util.stream.Stream.of(String.valueOf(i.port()),
					i.environment().getOrDefault("MANAGEMENT_PORT", "m" + i.name())))
			.toList();
		assertThat(ports).doesNotHaveDuplicates();
	}

}
