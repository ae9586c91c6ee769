package dev.fulcrum.system;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;

import dev.fulcrum.testsupport.TestHttp;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis Cluster variant ({@code docker-compose.yml} with
 * {@code docker-compose.cluster.yml}) on a real Docker engine: the three masters form a
 * cluster by themselves, the state of the services spreads over them, the job queue's
 * three shards each on a master of its own with users' jobs in all three, a logout is
 * enforced by the gateway through the cluster's pub/sub, and the first shard's slot moves
 * to another master under a load of submissions without losing an accepted job. Skipped
 * where no engine answers, mandatory in CI.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ComposeClusterSystemTests {

	static final List<String> NODES = List.of("redis", "redis-2", "redis-3");

	/** The slot of every key of the queue's first shard, {@code fulcrum:{jobs}:...}. */
	static final int QUEUE_SLOT = SlotHash.getSlot("{jobs}");

	/** The three shards' hash tags (the jobs module's {@code JobShard}). */
	static final List<String> SHARDS = List.of("{jobs}", "{jobs-1}", "{jobs-2}");

	static ComposeStack stack;

	@BeforeAll
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	static void up() {
		// The tests register more users from one address than the auth-service's throttle
		// lets through (20 an hour).
		Path override = ComposeStack.writeFile("compose-cluster-test.yml", """
				services:
				  auth-service:
				    environment:
				      FULCRUM_AUTH_THROTTLE_REGISTRATIONS_PER_ADDRESS: "1000"
				""");
		stack = new ComposeStack(DockerEngine.find(), "fulcrumclustertest", Map.of(), Path.of("docker-compose.yml"),
				Path.of("docker-compose.cluster.yml"), override);
		stack.close();
		stack.compose(Duration.ofMinutes(15), "build");
		long start = System.nanoTime();
		stack.compose(Duration.ofMinutes(5), "up", "--detach");
		stack.awaitHealthy(Duration.ofMinutes(5));
		System.out.printf("compose cluster: every container healthy %.1f s after up%n",
				(System.nanoTime() - start) / 1e9);
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
			assertThat(stack.leftovers()).as("after down -v").isEmpty();
		}
	}

	@Test
	void theServicesSpreadTheirStateOverThreeMastersAndALogoutIsEnforcedAtTheEdge() {
		String gateway = stack.gateway();
		for (String node : NODES) {
			assertThat(redisCli(node, "cluster", "info")).as(node)
				.contains("cluster_state:ok", "cluster_known_nodes:3", "cluster_size:3");
		}
		String bearer = signIn(gateway, "cluster-spread-");
		// Sessions, users and rate-limit counters hash to slots all over the cluster.
		for (int i = 0; i < 10; i++) {
			signIn(gateway, "cluster-spread-" + i + "-");
		}
		for (String node : NODES) {
			assertThat(Long.parseLong(redisCli(node, "dbsize").strip())).as("keys on " + node).isPositive();
		}
		// Users' jobs until every shard has two, each job in the shard of the documented
		// rule (the CRC-32 of the user id, modulo 3), and the shards on three masters.
		Map<Integer, List<String>> byShard = new HashMap<>();
		for (int i = 0; i < 60 && byShard.values().stream().filter((ids) -> ids.size() >= 2).count() < 3; i++) {
			String user = signIn(gateway, "cluster-shards-" + i + "-");
			HttpResponse<String> accepted = submit(gateway, user, UUID.randomUUID().toString());
			assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
			String id = TestHttp.json(accepted).get("id").asString();
			Jobs.awaitSucceeded(gateway, user, Set.of(id), Duration.ofMinutes(1));
			byShard.computeIfAbsent(shardOf(user), (shard) -> new ArrayList<>()).add(id);
		}
		Set<String> owners = new HashSet<>();
		for (int shard = 0; shard < SHARDS.size(); shard++) {
			String tag = SHARDS.get(shard);
			List<String> ids = byShard.getOrDefault(shard, List.of());
			assertThat(ids).as("jobs of the shard " + tag).hasSizeGreaterThanOrEqualTo(2);
			List<Object> exists = new ArrayList<>(List.of("-c", "exists"));
			ids.forEach((id) -> exists.add("'fulcrum:" + tag + ":job:" + id + "'"));
			assertThat(Long.parseLong(redisCli("redis", exists.toArray()).strip())).as("jobs found in " + tag)
				.isEqualTo(ids.size());
			owners.add(ownerOf(SlotHash.getSlot(tag)));
		}
		assertThat(owners).as("masters of the three shards").hasSize(3);
		assertThat(TestHttp.get(gateway + "/api/jobs", "Authorization", bearer).statusCode()).isEqualTo(200);
		assertThat(TestHttp.post(gateway + "/auth/logout", "", "Authorization", bearer).statusCode()).isEqualTo(204);
		HttpResponse<String> after = TestHttp.get(gateway + "/api/jobs", "Authorization", bearer);
		assertThat(after.statusCode()).as(after.body()).isEqualTo(401);
	}

	@Test
	void theQueuesSlotMovesToAnotherMasterUnderLoadAndNoAcceptedJobIsLost() throws Exception {
		String gateway = stack.gateway();
		// A user per client, each with its own quota of unfinished jobs.
		List<String> bearers = List.of(signIn(gateway, "cluster-move-"), signIn(gateway, "cluster-move-"),
				signIn(gateway, "cluster-move-"), signIn(gateway, "cluster-move-"));
		String source = ownerOf(QUEUE_SLOT);
		String target = NODES.stream().filter((node) -> !node.equals(source)).findFirst().orElseThrow();
		Map<String, HttpResponse<String>> answers = new ConcurrentHashMap<>();
		Map<String, String> owners = new ConcurrentHashMap<>();
		AtomicBoolean submitting = new AtomicBoolean(true);
		int moved;
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			for (String bearer : bearers) {
				clients.execute(() -> {
					while (submitting.get()) {
						String key = UUID.randomUUID().toString();
						owners.put(key, bearer);
						try {
							answers.put(key, submit(gateway, bearer, key));
							Thread.sleep(10);
						}
						catch (RuntimeException | InterruptedException ex) {
							answers.put(key + " (no answer: " + ex.getMessage() + ")", null);
						}
					}
				});
			}
			Thread.sleep(2_000);
			long start = System.nanoTime();
			moved = moveSlot(QUEUE_SLOT, source, target);
			System.out.printf("compose cluster: slot %d (%d keys) moved from %s to %s in %.1f s%n", QUEUE_SLOT, moved,
					source, target, (System.nanoTime() - start) / 1e9);
			Thread.sleep(2_000);
			submitting.set(false);
		}
		assertThat(moved).as("keys moved with the slot").isPositive();
		assertThat(ownerOf(QUEUE_SLOT)).isEqualTo(target);
		assertThat(answers.values()).as("every submission was answered").doesNotContainNull();
		assertThat(answers.values()).as("every answer is an acceptance or a clean 503 problem")
			.allSatisfy((response) -> assertThat(response.statusCode()).as(response.body()).isIn(202, 503));
		Map<String, Set<String>> accepted = new ConcurrentHashMap<>();
		answers.forEach((key, response) -> {
			if (response.statusCode() == 202) {
				accepted.computeIfAbsent(owners.get(key), (owner) -> ConcurrentHashMap.newKeySet())
					.add(TestHttp.json(response).get("id").asString());
			}
		});
		System.out.printf("compose cluster: %d submissions, %d accepted%n", answers.size(),
				accepted.values().stream().mapToInt(Set::size).sum());
		for (Map.Entry<String, Set<String>> jobs : accepted.entrySet()) {
			Jobs.awaitSucceeded(gateway, jobs.getKey(), jobs.getValue(), Duration.ofMinutes(2));
		}
	}

	/**
	 * Moves a slot as {@code redis-cli --cluster reshard} does, one slot only: importing
	 * on the target, migrating on the source, the keys with {@code MIGRATE}, then the new
	 * owner on every node.
	 */
	private static int moveSlot(int slot, String source, String target) {
		String sourceId = redisCli(source, "cluster", "myid").strip();
		String targetId = redisCli(target, "cluster", "myid").strip();
		String targetAddress = address(target);
		assertThat(redisCli(target, "cluster", "setslot", slot, "importing", sourceId)).contains("OK");
		assertThat(redisCli(source, "cluster", "setslot", slot, "migrating", targetId)).contains("OK");
		int moved = 0;
		while (true) {
			List<String> keys = redisCli(source, "cluster", "getkeysinslot", slot, 200).lines()
				.map(String::strip)
				.filter((line) -> !line.isEmpty())
				.toList();
			if (keys.isEmpty()) {
				break;
			}
			List<Object> migrate = new ArrayList<>(
					List.of("migrate", targetAddress, 6379, "\"\"", 0, 10000, "auth", "\"$REDIS_PASSWORD\"", "keys"));
			keys.forEach((key) -> migrate.add("'" + key + "'"));
			assertThat(redisCli(source, migrate.toArray())).contains("OK");
			moved += keys.size();
		}
		assertThat(redisCli(target, "cluster", "setslot", slot, "node", targetId)).contains("OK");
		assertThat(redisCli(source, "cluster", "setslot", slot, "node", targetId)).contains("OK");
		for (String node : NODES) {
			if (!node.equals(source) && !node.equals(target)) {
				assertThat(redisCli(node, "cluster", "setslot", slot, "node", targetId)).contains("OK");
			}
		}
		return moved;
	}

	/** The node (compose service) that serves a slot, by its address. */
	private static String ownerOf(int slot) {
		String ownerAddress = redisCli("redis", "cluster", "nodes").lines()
			.filter((line) -> line.contains("master") && servesSlot(line, slot))
			.map((line) -> line.split(" ")[1].replaceAll(":.*", ""))
			.findFirst()
			.orElseThrow();
		return NODES.stream().filter((node) -> address(node).equals(ownerAddress)).findFirst().orElseThrow();
	}

	private static boolean servesSlot(String nodesLine, int slot) {
		String[] fields = nodesLine.split(" ");
		for (int i = 8; i < fields.length; i++) {
			String[] range = fields[i].split("-");
			if (range[0].startsWith("[")) {
				continue;
			}
			int from = Integer.parseInt(range[0]);
			int to = (range.length > 1) ? Integer.parseInt(range[1]) : from;
			if (slot >= from && slot <= to) {
				return true;
			}
		}
		return false;
	}

	private static String address(String node) {
		return stack.engine.docker(Duration.ofSeconds(20), "exec", stack.container(node, 1), "hostname", "-i")
			.output()
			.strip()
			.split(" ")[0];
	}

	/**
	 * The shard of a signed-in user's jobs: the CRC-32 of the token's subject, modulo 3.
	 */
	private static int shardOf(String bearer) {
		String payload = bearer.substring("Bearer ".length()).split("\\.")[1];
		String subject = TestHttp.json(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
			.get("sub")
			.asString();
		CRC32 crc = new CRC32();
		crc.update(subject.getBytes(StandardCharsets.UTF_8));
		return (int) (crc.getValue() % SHARDS.size());
	}

	private static String signIn(String gateway, String prefix) {
		String credentials = TestHttp.toJson(Map.of("username", prefix + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		return "Bearer "
				+ TestHttp.json(TestHttp.post(gateway + "/auth/login", credentials)).get("access_token").asString();
	}

	private static String redisCli(String service, Object... command) {
		List<String> words = new ArrayList<>();
		for (Object word : command) {
			words.add(String.valueOf(word));
		}
		return stack.engine
			.docker(Duration.ofSeconds(20), "exec", stack.container(service, 1), "sh", "-c",
					"redis-cli --no-auth-warning -a \"$REDIS_PASSWORD\" " + String.join(" ", words))
			.output();
	}

	private static HttpResponse<String> submit(String gateway, String bearer, String key) {
		return TestHttp.post(gateway + "/api/jobs",
				TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 10))), "Authorization", bearer,
				"Idempotency-Key", key);
	}

}
