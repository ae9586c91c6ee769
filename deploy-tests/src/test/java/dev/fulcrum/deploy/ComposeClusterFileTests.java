package dev.fulcrum.deploy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis Cluster variant ({@code docker-compose.cluster.yml} on top of
 * {@code docker-compose.yml}): three masters, each run as the base file runs Redis with
 * cluster mode on and its own data; a one-shot init that forms the cluster from all three
 * before any service starts; every service given all three as seeds, and the job queue
 * three shards. Nothing published. ({@link RedisClusterClientTests} runs the services'
 * side of it; the system tests run the whole variant on a Docker engine.)
 */
class ComposeClusterFileTests {

	private static final List<String> NODES = List.of("redis", "redis-2", "redis-3");

	private final Map<String, Object> services = Repository.map(Repository.yaml("docker-compose.yml"), "services");

	private final Map<String, Object> cluster = Repository.yaml("docker-compose.cluster.yml");

	private final Map<String, Object> clusterServices = Repository.map(this.cluster, "services");

	@Test
	void dockerComposeItselfAcceptsTheVariantAndMergesItIntoEveryService() throws Exception {
		String merged = ComposeFileTests.dockerComposeConfig("-f", "docker-compose.yml", "-f",
				"docker-compose.cluster.yml");
		Map<String, Object> services = Repository.map(Repository.parse(merged), "services");
		for (String name : List.of("gateway", "auth-service", "api-service", "worker-service")) {
			Map<String, Object> service = Repository.map(services, name);
			assertThat(Repository.map(service, "environment")).as(name)
				.containsKeys("REDIS_URL", "TOKEN_JWKS_URI", "SPRING_DATA_REDIS_CLUSTER_NODES");
			assertThat(Repository.map(Repository.map(service, "depends_on"), "redis-cluster-init")).as(name)
				.containsEntry("condition", "service_completed_successfully");
		}
	}

	@Test
	void threeMastersRunAsTheBaseRedisDoesWithClusterModeOnAndTheirOwnData() {
		String base = redisServerSettings(Repository.map(this.services, "redis"));
		Map<String, Object> volumes = Repository.map(this.cluster, "volumes");
		for (String name : NODES) {
			Map<String, Object> node = Repository.map(this.clusterServices, name);
			assertThat(redisServerSettings(node)).as(name)
				.isEqualTo(base + " --masterauth \"$$REDIS_PASSWORD\" --cluster-enabled yes"
						+ " --cluster-config-file /data/nodes.conf --cluster-node-timeout 5000"
						+ " --cluster-announce-ip \"$$(hostname -i | cut -d ' ' -f 1)\"");
			String data = name.equals("redis") ? "redis-data" : name + "-data";
			assertThat(Repository.list(node, "volumes")).as(name)
				.containsExactly(data + ":/data", "./docker/redis-users.acl:/etc/fulcrum/redis-users.acl:ro",
						"./docker/redis-users.sh:/etc/fulcrum/redis-users.sh:ro");
			if (!name.equals("redis")) {
				assertThat(volumes).containsKey(data);
			}
			assertThat(Repository.map(node, "environment"))
				.isEqualTo(Repository.map(Repository.map(this.services, "redis"), "environment"));
			assertHardened(name, node);
			assertThat(Repository.list(Repository.map(node, "healthcheck"), "test")).as(name).startsWith("CMD-SHELL");
			assertThat(node).as(name)
				.containsEntry("restart", "unless-stopped")
				.doesNotContainKeys("ports", "profiles");
		}
	}

	@Test
	void aOneShotInitFormsTheClusterOfAllThreeOnceTheyAreHealthy() {
		Map<String, Object> init = Repository.map(this.clusterServices, "redis-cluster-init");
		assertThat(Repository.list(init, "command")).containsExactly("sh", "/etc/fulcrum/redis-cluster-init.sh",
				"redis", "redis-2", "redis-3");
		assertThat(Repository.list(init, "volumes"))
			.containsExactly("./docker/redis-cluster-init.sh:/etc/fulcrum/redis-cluster-init.sh:ro");
		assertThat(init).containsEntry("restart", "no").doesNotContainKeys("ports", "profiles");
		Map<String, Object> dependsOn = Repository.map(init, "depends_on");
		assertThat(dependsOn).containsOnlyKeys(NODES);
		NODES.forEach(
				(node) -> assertThat(Repository.map(dependsOn, node)).containsEntry("condition", "service_healthy"));
		assertHardened("redis-cluster-init", init);
	}

	@ParameterizedTest
	@ValueSource(strings = { "gateway", "auth-service", "api-service", "worker-service" })
	void everyServiceKnowsEveryMasterAndStartsOnceTheClusterIsFormed(String name) {
		Map<String, Object> service = Repository.map(this.clusterServices, name);
		assertThat(Repository.map(service, "environment"))
			.containsOnlyKeys("SPRING_DATA_REDIS_CLUSTER_NODES", "JOBS_SHARDS")
			.containsEntry("SPRING_DATA_REDIS_CLUSTER_NODES", "redis:6379,redis-2:6379,redis-3:6379")
			.containsEntry("JOBS_SHARDS", "${JOBS_SHARDS:-3}");
		assertThat(Repository.map(service, "depends_on")).containsOnlyKeys("redis-cluster-init");
	}

	private static void assertHardened(String name, Map<String, Object> service) {
		assertThat(service).as(name).containsEntry("user", "redis").containsEntry("read_only", true);
		assertThat(Repository.list(service, "security_opt")).as(name).containsExactly("no-new-privileges:true");
		assertThat(Repository.list(service, "cap_drop")).as(name).containsExactly("ALL");
	}

	/** What a Redis node's script runs after {@code exec redis-server }. */
	private static String redisServerSettings(Map<String, Object> service) {
		List<String> command = Repository.list(service, "command");
		assertThat(command).hasSize(3).startsWith("sh", "-c");
		String prefix = "exec redis-server ";
		assertThat(command.get(2)).contains(prefix);
		return command.get(2).substring(command.get(2).indexOf(prefix) + prefix.length()).strip();
	}

}
