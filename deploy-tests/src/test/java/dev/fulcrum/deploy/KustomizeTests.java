package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every variant under {@code k8s/} rendered with {@code kubectl kustomize}, and the
 * rendered objects held to what a cluster and the services need: probes, resources and a
 * non-root, read-only security context on every workload; Services that select pods that
 * exist, on ports those pods name; autoscalers and budgets that target Deployments that
 * exist; the ports and names each service's own configuration has, as in compose; and
 * network policies that let only the gateway in from outside.
 */
class KustomizeTests {

	private static final List<String> SERVICES = List.of("gateway", "auth-service", "api-service", "worker-service");

	/** The variants, and the fewest replicas each lets the autoscalers go to. */
	static Stream<Variant> variants() {
		return Stream.of(
				new Variant("overlays/dev",
						Map.of("gateway", 1, "auth-service", 1, "api-service", 1, "worker-service", 0)),
				new Variant("overlays/prod",
						Map.of("gateway", 2, "auth-service", 2, "api-service", 3, "worker-service", 2)),
				new Variant("overlays/prod+components/request-rate-hpa+components/prometheus-operator",
						Map.of("gateway", 2, "auth-service", 2, "api-service", 3, "worker-service", 2)),
				new Variant("overlays/prod+components/queue-shards",
						Map.of("gateway", 2, "auth-service", 2, "api-service", 3, "worker-service", 2)));
	}

	@ParameterizedTest
	@MethodSource("variants")
	void everyWorkloadHasProbesResourcesAndARestrictedSecurityContext(Variant variant) {
		Rendered rendered = render(variant);
		for (Map<String, Object> workload : rendered.workloads()) {
			String name = Rendered.name(workload);
			Map<String, Object> pod = Repository.map(Repository.map(Repository.map(workload, "spec"), "template"),
					"spec");
			assertThat(pod).as(name).containsEntry("automountServiceAccountToken", false);
			assertThat(rendered.names("ServiceAccount")).as(name).contains(pod.get("serviceAccountName").toString());
			assertThat(Repository.map(pod, "securityContext")).as(name)
				.containsEntry("runAsNonRoot", true)
				.containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
			for (Map<String, Object> container : Repository.maps(pod.get("containers"))) {
				assertThat(container).as(name).containsKeys("readinessProbe", "livenessProbe");
				Map<String, Object> resources = Repository.map(container, "resources");
				assertThat(Repository.map(resources, "requests")).as(name).containsKeys("cpu", "memory");
				assertThat(Repository.map(resources, "limits")).as(name).containsKeys("cpu", "memory");
				// Memory is never overcommitted: what a pod may use is what its node
				// keeps for it.
				assertThat(Repository.map(resources, "requests").get("memory")).as(name + " memory request")
					.isEqualTo(Repository.map(resources, "limits").get("memory"));
				Map<String, Object> security = Repository.map(container, "securityContext");
				assertThat(security).as(name)
					.containsEntry("readOnlyRootFilesystem", true)
					.containsEntry("allowPrivilegeEscalation", false);
				assertThat(Repository.list(Repository.map(security, "capabilities"), "drop")).as(name)
					.containsExactly("ALL");
			}
		}
	}

	@ParameterizedTest
	@MethodSource("variants")
	void eachServiceListensAndIsProbedWhereItsConfigurationSays(Variant variant) {
		Rendered rendered = render(variant);
		assertThat(rendered.names("Deployment")).containsExactlyInAnyOrderElementsOf(SERVICES);
		for (String service : SERVICES) {
			Repository.Application application = Repository.application(service);
			assertThat(application.name()).isEqualTo(service);
			Map<String, Object> container = rendered.container(service);
			Map<String, Object> ports = new HashMap<>();
			Repository.maps(container.get("ports"))
				.forEach((port) -> ports.put(port.get("name").toString(), port.get("containerPort")));
			assertThat(ports).as(service).containsEntry("http", application.port());
			Map<String, String> env = rendered.environment(service);
			assertThat(env).as(service).containsEntry("SERVER_PORT", Integer.toString(application.port()));
			String healthPort = "http";
			if (application.managementPort() != null) {
				assertThat(ports).as(service).containsEntry("management", application.managementPort());
				assertThat(env).as(service)
					.containsEntry("MANAGEMENT_PORT", Integer.toString(application.managementPort()));
				healthPort = "management";
			}
			for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
				Map<String, Object> get = Repository.map(Repository.map(container, probe), "httpGet");
				assertThat(get.get("port")).as(service + " " + probe).isEqualTo(healthPort);
				assertThat(get.get("path").toString()).as(service + " " + probe).startsWith("/actuator/health/");
			}
			// Its own Redis user (redis-users.acl), with its own key of the Secret.
			assertThat(env.get("REDIS_URL")).as(service)
				.isEqualTo("redis://" + service + ":$(REDIS_PASSWORD)@redis:6379");
			Map<String, Object> password = Repository.maps(container.get("env"))
				.stream()
				.filter((variable) -> "REDIS_PASSWORD".equals(variable.get("name")))
				.findFirst()
				.orElseThrow();
			assertThat(Repository.map(Repository.map(password, "valueFrom"), "secretKeyRef")).as(service)
				.containsEntry("name", "redis")
				.containsEntry("key", service);
			// $(REDIS_PASSWORD) is expanded only from a variable defined before it.
			List<String> order = Repository.maps(container.get("env"))
				.stream()
				.map((variable) -> variable.get("name").toString())
				.toList();
			assertThat(order.indexOf("REDIS_PASSWORD")).as(service)
				.isNotNegative()
				.isLessThan(order.indexOf("REDIS_URL"));
		}
	}

	@ParameterizedTest
	@MethodSource("variants")
	void servicesSelectPodsThatExistOnPortsTheyName(Variant variant) {
		Rendered rendered = render(variant);
		assertThat(rendered.names("Service")).containsExactlyInAnyOrder("redis", "gateway", "auth-service",
				"api-service", "worker-service");
		for (Map<String, Object> service : rendered.all("Service")) {
			Map<String, Object> spec = Repository.map(service, "spec");
			Map<String, Object> selector = Repository.map(spec, "selector");
			List<Map<String, Object>> selected = rendered.workloads()
				.stream()
				.filter((workload) -> Rendered.podLabels(workload).entrySet().containsAll(selector.entrySet()))
				.toList();
			assertThat(selected).as(Rendered.name(service) + " selects " + selector).isNotEmpty();
			Set<String> named = new HashSet<>();
			selected.forEach((workload) -> Repository
				.maps(Repository.map(Repository.map(Repository.map(workload, "spec"), "template"), "spec")
					.get("containers"))
				.forEach((container) -> Repository.maps(container.get("ports"))
					.forEach((port) -> named.add(port.get("name").toString()))));
			for (Map<String, Object> port : Repository.maps(spec.get("ports"))) {
				assertThat(named).as(Rendered.name(service)).contains(port.get("targetPort").toString());
			}
		}
		// The gateway balances the pods of these itself: their DNS must list every pod.
		for (String headless : List.of("api-service", "auth-service")) {
			assertThat(Repository.map(rendered.one("Service", headless), "spec")).containsEntry("clusterIP", "None");
		}
	}

	@ParameterizedTest
	@MethodSource("variants")
	void podMonitorsScrapeEveryServiceWhereItsMetricsAre(Variant variant) {
		Rendered rendered = render(variant);
		if (!variant.path().contains("components/prometheus-operator")) {
			assertThat(rendered.names("PodMonitor")).isEmpty();
			return;
		}
		for (String service : SERVICES) {
			Map<String, Object> workload = rendered.one("Deployment", service);
			List<Map<String, Object>> monitors = rendered.all("PodMonitor")
				.stream()
				.filter((monitor) -> selects(Repository.map(Repository.map(monitor, "spec"), "selector"),
						Rendered.podLabels(workload)))
				.toList();
			assertThat(monitors).as(service + "'s pods, scraped once").hasSize(1);
			Map<String, Object> monitor = monitors.get(0);
			assertThat(Repository.map(monitor, "metadata")).as(Rendered.name(monitor))
				.containsEntry("namespace", "fulcrum");
			Map<String, Object> endpoint = Repository.maps(Repository.map(monitor, "spec").get("podMetricsEndpoints"))
				.get(0);
			assertThat(endpoint).as(service)
				.containsEntry("path", "/actuator/prometheus")
				// The services' own application and instance labels, which the dashboard
				// uses.
				.containsEntry("honorLabels", true);
			Repository.Application application = Repository.application(service);
			int metricsPort = (application.managementPort() != null) ? application.managementPort()
					: application.port();
			Map<String, Object> port = Repository.maps(rendered.container(service).get("ports"))
				.stream()
				.filter((candidate) -> candidate.get("name").equals(endpoint.get("port")))
				.findFirst()
				.orElseThrow(() -> new AssertionError(service + " has no port named " + endpoint.get("port")));
			assertThat(port.get("containerPort")).as(service + " serves /actuator/prometheus on")
				.isEqualTo(metricsPort);
		}
	}

	/**
	 * Whether a label selector (matchLabels, matchExpressions with In) selects labels.
	 */
	private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
		Map<?, ?> matchLabels = (Map<?, ?>) selector.getOrDefault("matchLabels", Map.of());
		boolean matches = labels.entrySet().containsAll(matchLabels.entrySet());
		for (Map<String, Object> expression : Repository.maps(selector.get("matchExpressions"))) {
			assertThat(expression.get("operator")).as("only In is understood here").isEqualTo("In");
			matches &= Repository.list(expression, "values")
				.contains(String.valueOf(labels.get(expression.get("key"))));
		}
		return matches;
	}

	@ParameterizedTest
	@MethodSource("variants")
	void theGatewayAndTheApiFindTheirUpstreamsUnderTheServiceNames(Variant variant) {
		Rendered rendered = render(variant);
		Map<String, Object> config = Repository.map(rendered.all("ConfigMap").get(0), "data");
		assertThat(config).containsEntry("API_SERVICE_DNS",
				"http://api-service:" + Repository.application("api-service").port());
		assertThat(config).containsEntry("AUTH_SERVICE_DNS",
				"http://auth-service:" + Repository.application("auth-service").port());
		assertThat(config).containsEntry("TOKEN_JWKS_URI",
				"http://auth-service:" + Repository.application("auth-service").port() + "/.well-known/jwks.json");
		// The same service names as docker-compose.yml (Redis and the optional profiles
		// aside).
		Map<String, Object> compose = Repository.map(Repository.yaml("docker-compose.yml"), "services");
		Set<String> composeServices = new HashSet<>(compose.keySet());
		composeServices
			.removeIf((name) -> name.equals("redis") || Repository.map(compose, name).containsKey("profiles"));
		assertThat(rendered.names("Deployment")).containsExactlyInAnyOrderElementsOf(composeServices);
	}

	@ParameterizedTest
	@MethodSource("variants")
	void autoscalersAndBudgetsTargetDeploymentsThatExist(Variant variant) {
		Rendered rendered = render(variant);
		assertThat(rendered.names("HorizontalPodAutoscaler")).containsExactlyInAnyOrder("gateway", "auth-service",
				"api-service");
		for (Map<String, Object> hpa : rendered.all("HorizontalPodAutoscaler")) {
			Map<String, Object> target = Repository.map(Repository.map(hpa, "spec"), "scaleTargetRef");
			assertThat(target).containsEntry("kind", "Deployment");
			assertThat(rendered.names("Deployment")).contains(target.get("name").toString());
			assertThat(Repository.map(hpa, "spec")).as(Rendered.name(hpa))
				.containsEntry("minReplicas", variant.replicas().get(target.get("name").toString()));
		}
		Map<String, Object> scaled = rendered.one("ScaledObject", "worker-service");
		assertThat(Repository.map(scaled, "spec")).containsEntry("minReplicaCount",
				variant.replicas().get("worker-service"));
		assertThat(Repository.map(Repository.map(scaled, "spec"), "scaleTargetRef")).containsEntry("name",
				"worker-service");
		List<Map<String, Object>> triggers = Repository.maps(Repository.map(scaled, "spec").get("triggers"));
		// Per shard of the queue (JOBS_SHARDS, 1 unless set): the backlog scales them and
		// wakes them from zero; the jobs in flight keep them.
		int shards = Integer.parseInt(sharedSetting(rendered, "JOBS_SHARDS", "1"));
		assertThat(triggers).hasSize(2 * shards).allSatisfy((trigger) -> {
			assertThat(trigger).containsEntry("type", "redis-streams");
			assertThat(Repository.map(trigger, "metadata")).containsEntry("consumerGroup", "workers");
		});
		for (int shard = 0; shard < shards; shard++) {
			String stream = "fulcrum:{" + ((shard == 0) ? "jobs" : "jobs-" + shard) + "}:stream";
			Map<String, Object> backlog = Repository.map(triggers.get(2 * shard), "metadata");
			Map<String, Object> held = Repository.map(triggers.get(2 * shard + 1), "metadata");
			assertThat(backlog).as(stream)
				.containsEntry("stream", stream)
				.containsKeys("lagCount", "activationLagCount");
			assertThat(held).as(stream).containsEntry("stream", stream).containsKey("pendingEntriesCount");
			// KEDA takes the largest trigger, not the sum: each shard's targets are the
			// one queue's (16 waiting, 8 held per worker) divided among the shards.
			assertThat(Integer.parseInt(backlog.get("lagCount").toString())).isEqualTo((16 + shards - 1) / shards);
			assertThat(Integer.parseInt(held.get("pendingEntriesCount").toString()))
				.isEqualTo((8 + shards - 1) / shards);
		}
		for (String service : SERVICES) {
			Map<String, Object> budget = rendered.one("PodDisruptionBudget", service);
			assertThat(Repository.map(Repository.map(budget, "spec"), "selector")).containsEntry("matchLabels",
					Map.of("app.kubernetes.io/name", service));
			// Never blocks a drain, even with one pod.
			assertThat(Repository.map(budget, "spec")).containsEntry("maxUnavailable", 1);
			// The autoscaler owns the count: an apply must not reset it.
			assertThat(Repository.map(rendered.one("Deployment", service), "spec")).as(service)
				.doesNotContainKey("replicas");
		}
	}

	/** A value of the services' shared settings, the ConfigMap {@code fulcrum-<hash>}. */
	private static String sharedSetting(Rendered rendered, String name, String otherwise) {
		Map<String, Object> shared = rendered.all("ConfigMap")
			.stream()
			.filter((map) -> Rendered.name(map).startsWith("fulcrum-"))
			.findFirst()
			.orElseThrow();
		Object value = Repository.map(shared, "data").get(name);
		return (value != null) ? value.toString() : otherwise;
	}

	@ParameterizedTest
	@MethodSource("variants")
	void onlyTheGatewayIsReachableFromOutsideAndOnlyTheServicesReachRedis(Variant variant) {
		Rendered rendered = render(variant);
		Map<String, Object> deny = rendered.one("NetworkPolicy", "default-deny-ingress");
		assertThat(Repository.map(deny, "spec")).containsEntry("podSelector", Map.of()).doesNotContainKey("ingress");
		// No rule opens a pod to everyone: each names its sources, none by an address
		// block or by every namespace.
		for (Map<String, Object> policy : rendered.all("NetworkPolicy")) {
			Map<String, Object> spec = Repository.map(policy, "spec");
			for (Map<String, Object> rule : Repository.maps(spec.get("ingress"))) {
				assertThat(rule).as(Rendered.name(policy) + " lets anyone in").containsKey("from");
				for (Map<String, Object> source : Repository.maps(rule.get("from"))) {
					assertThat(source).as(Rendered.name(policy)).doesNotContainKey("ipBlock");
					assertThat(source.get("namespaceSelector")).as(Rendered.name(policy)).isNotEqualTo(Map.of());
				}
			}
		}
		Map<String, Object> way = Repository
			.maps(Repository.map(rendered.one("NetworkPolicy", "gateway-from-ingress"), "spec").get("ingress"))
			.get(0);
		assertThat(way.get("from").toString()).contains("kubernetes.io/metadata.name=ingress-nginx");
		Map<String, Object> redis = rendered.one("NetworkPolicy", "redis-from-services");
		assertThat(Repository.map(redis, "spec").get("podSelector"))
			.isEqualTo(Map.of("matchLabels", Map.of("app.kubernetes.io/name", "redis")));
		for (String service : SERVICES) {
			assertThat(Rendered.podLabels(rendered.one("Deployment", service))).as(service)
				.containsEntry("fulcrum.dev/redis-client", "true");
		}
		assertThat(Repository.map(rendered.one("Ingress", "gateway"), "spec").toString()).contains("name=gateway");
	}

	@ParameterizedTest
	@MethodSource("variants")
	void redisKeepsItsDataOnAVolumeAndNeverEvicts(Variant variant) {
		Rendered rendered = render(variant);
		Map<String, Object> redis = rendered.one("StatefulSet", "redis");
		assertThat(Repository.map(redis, "spec")).containsKey("volumeClaimTemplates");
		String args = String.join(" ", Repository.list(rendered.container("redis"), "args"));
		assertThat(args).contains("--appendonly yes", "--maxmemory-policy noeviction", "--requirepass");
	}

	@Test
	void redisWritesEachServicesUserFromTheSameRulesAsComposeAndTheLauncher() throws Exception {
		for (String file : List.of("redis-users.acl", "redis-users.sh")) {
			assertThat(Repository.root().resolve("k8s/base/" + file)).as(file + ", a copy of docker's")
				.hasSameTextualContentAs(Repository.root().resolve("docker/" + file));
		}
		Rendered rendered = render(variants().toList().get(0));
		String args = String.join(" ", Repository.list(rendered.container("redis"), "args"));
		assertThat(args).contains("sh /etc/fulcrum/redis-users.sh /etc/fulcrum/redis-users.acl /tmp/users.acl",
				"--aclfile /tmp/users.acl", "--requirepass");
		List<String> secretKeys = Repository.maps(rendered.container("redis").get("env"))
			.stream()
			.map((variable) -> Repository.map(Repository.map(variable, "valueFrom"), "secretKeyRef")
				.get("key")
				.toString())
			.toList();
		assertThat(secretKeys).containsExactlyInAnyOrder("password", "auth-service", "gateway", "api-service",
				"worker-service");
	}

	@Test
	void theTracingComponentAddsAHardenedZipkinThatOnlyTheServicesReachAndPointsThemAtIt() {
		Rendered plain = render(variants().toList().get(0));
		Rendered rendered = render(new Variant("overlays/dev+components/tracing", Map.of()));
		Map<String, Object> settings = rendered.all("ConfigMap")
			.stream()
			.filter((map) -> Rendered.name(map).startsWith("fulcrum-"))
			.findFirst()
			.orElseThrow();
		assertThat(Repository.map(settings, "data"))
			.containsEntry("MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT", "http://zipkin:9411/api/v2/spans")
			.containsEntry("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "0.1");
		for (String service : SERVICES) {
			assertThat(Repository.maps(rendered.container(service).get("envFrom")))
				.as(service + " reads the shared settings")
				.anySatisfy((from) -> assertThat(Repository.map(from, "configMapRef")).containsEntry("name",
						Rendered.name(settings)));
		}
		assertThat(plain.all("ConfigMap")
			.stream()
			.filter((map) -> Rendered.name(map).startsWith("fulcrum-"))
			.map((map) -> Repository.map(map, "data"))).as("without it, spans go nowhere")
			.allSatisfy((data) -> assertThat(data).doesNotContainKey("MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT"));

		Map<String, Object> zipkin = rendered.one("Deployment", "zipkin");
		assertThat(Repository.map(zipkin, "metadata")).containsEntry("namespace", "fulcrum");
		Map<String, Object> pod = Repository.map(Repository.map(Repository.map(zipkin, "spec"), "template"), "spec");
		assertThat(pod).containsEntry("automountServiceAccountToken", false);
		assertThat(Repository.map(pod, "securityContext")).containsEntry("runAsNonRoot", true)
			.containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
		Map<String, Object> container = rendered.container("zipkin");
		assertThat(container).containsKeys("readinessProbe", "livenessProbe");
		assertThat(Repository.map(container, "securityContext")).containsEntry("readOnlyRootFilesystem", true)
			.containsEntry("allowPrivilegeEscalation", false);
		Map<String, Object> resources = Repository.map(container, "resources");
		assertThat(Repository.map(resources, "requests").get("memory"))
			.isEqualTo(Repository.map(resources, "limits").get("memory"));
		assertThat(Repository.map(Repository.map(rendered.one("Service", "zipkin"), "spec"), "selector"))
			.isEqualTo(Rendered.podLabels(zipkin));

		Map<String, Object> policy = Repository.map(rendered.one("NetworkPolicy", "zipkin-from-services"), "spec");
		assertThat(Repository.map(Repository.map(policy, "podSelector"), "matchLabels"))
			.containsEntry("app.kubernetes.io/name", "zipkin");
		Map<String, Object> rule = Repository.maps(policy.get("ingress")).get(0);
		assertThat(Repository.maps(rule.get("ports"))).extracting((port) -> port.get("port")).containsExactly(9411);
		Map<String, Object> from = Repository.map(Repository.maps(rule.get("from")).get(0), "podSelector");
		assertThat(Repository.maps(from.get("matchExpressions")).get(0)).containsEntry("key", "app.kubernetes.io/name")
			.containsEntry("operator", "In");
		assertThat(Repository.list(Repository.maps(from.get("matchExpressions")).get(0), "values"))
			.containsExactlyInAnyOrderElementsOf(SERVICES);
		for (String service : SERVICES) {
			assertThat(Rendered.podLabels(rendered.one("Deployment", service))).containsEntry("app.kubernetes.io/name",
					service);
		}
	}

	@Test
	void devBringsItsOwnDemoSecretAndProdExpectsYours() {
		assertThat(render(variants().toList().get(0)).names("Secret")).containsExactlyInAnyOrder("redis", "management");
		assertThat(render(variants().toList().get(1)).names("Secret")).isEmpty();
		for (Variant variant : variants().toList()) {
			Rendered rendered = render(variant);
			for (String service : List.of("gateway", "api-service")) {
				Map<String, Object> token = Repository.maps(rendered.container(service).get("env"))
					.stream()
					.filter((variable) -> "MANAGEMENT_TOKEN".equals(variable.get("name")))
					.findFirst()
					.orElseThrow(() -> new AssertionError(service + " has no MANAGEMENT_TOKEN"));
				assertThat(Repository.map(Repository.map(token, "valueFrom"), "secretKeyRef"))
					.as(service + " takes the management token from the Secret")
					.containsEntry("name", "management")
					.containsEntry("key", "token");
			}
		}
		for (String readme : List.of("k8s/README.md", "k8s/overlays/dev/README.md", "k8s/overlays/prod/README.md",
				"k8s/components/request-rate-hpa/README.md", "k8s/components/tracing/README.md",
				"k8s/components/queue-shards/README.md")) {
			assertThat(Repository.root().resolve(readme)).as(readme).isRegularFile();
		}
	}

	/**
	 * The objects a variant renders to; skips the test where kubectl is missing and not
	 * required.
	 */
	static Rendered render(Variant variant) {
		boolean required = "1".equals(System.getenv("FULCRUM_REQUIRE_KUSTOMIZE"));
		boolean installed = Stream.of(System.getenv("PATH").split(":"))
			.anyMatch((dir) -> Files.isExecutable(Path.of(dir, "kubectl")));
		assumeTrue(required || installed, "kubectl is not installed");
		try {
			Path dir = Repository.root().resolve("k8s");
			List<String> command = new ArrayList<>(List.of("kubectl", "kustomize"));
			if (variant.path().contains("+")) {
				// An overlay with components, as a user would write it.
				String[] parts = variant.path().split("\\+");
				Path overlay = Files.createTempDirectory(Repository.root().resolve("deploy-tests/target"), "kz");
				StringBuilder kustomization = new StringBuilder("resources:\n  - ")
					.append(overlay.relativize(dir.resolve(parts[0])))
					.append("\ncomponents:\n");
				for (int i = 1; i < parts.length; i++) {
					kustomization.append("  - ").append(overlay.relativize(dir.resolve(parts[i]))).append('\n');
				}
				Files.writeString(overlay.resolve("kustomization.yaml"), kustomization);
				command.addAll(List.of("--load-restrictor", "LoadRestrictionsNone", overlay.toString()));
			}
			else {
				command.add(dir.resolve(variant.path()).toString());
			}
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
			String output = new String(process.getInputStream().readAllBytes());
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(process.exitValue()).as("kubectl kustomize " + variant.path()).isZero();
			List<Map<String, Object>> objects = new ArrayList<>();
			for (Object document : new Yaml(new SafeConstructor(new LoaderOptions()))
				.loadAll(new StringReader(output))) {
				objects.add(Repository.maps(List.of(document)).get(0));
			}
			return new Rendered(objects);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A variant of the manifests.
	 *
	 * @param path a folder under {@code k8s/}, or {@code overlay+component+...}
	 * @param replicas the replicas it gives each service
	 */
	record Variant(String path, Map<String, Integer> replicas) {

		@Override
		public String toString() {
			return this.path;
		}

	}

}
