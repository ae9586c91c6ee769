package dev.fulcrum.launcher;

import java.nio.charset.StandardCharsets;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What the compose autoscaler reads and writes: a replica made from a template as Compose
 * makes one, its name, the queue's lag from {@code redis-cli}, and the engine's answers.
 * The autoscaler against a real engine runs in ComposeSystemTests.
 */
class ComposeAutoscalerTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void makesTheNextReplicaFromTheTemplateWithItsNumberItsOwnHostAndTheServicesAlias() {
		JsonNode template = JSON.readTree(
				"""
						{"Name":"/lab_api-service_1",
						 "Config":{"Hostname":"3f2a","Image":"fulcrum/api-service:local","Env":["SERVER_PORT=8091"],
						  "Labels":{"com.docker.compose.project":"lab","com.docker.compose.service":"api-service",
						   "com.docker.compose.container-number":"1"}},
						 "HostConfig":{"ReadonlyRootfs":true,"CapDrop":["ALL"],"Memory":536870912,"NetworkMode":"lab_default"},
						 "NetworkSettings":{"Networks":{"lab_default":{"IPAddress":"172.24.0.5","Aliases":["api-service","3f2a"]}}}}
						""");

		JsonNode body = ComposeAutoscaler.replica(template, "api-service", 3);

		assertThat(body.has("Hostname")).as("a host name of its own").isFalse();
		assertThat(body.get("Image").asString()).isEqualTo("fulcrum/api-service:local");
		assertThat(body.at("/Labels/com.docker.compose.container-number").asString()).isEqualTo("3");
		assertThat(body.at("/Labels/com.docker.compose.project").asString()).isEqualTo("lab");
		assertThat(body.at("/HostConfig/ReadonlyRootfs").asBoolean()).isTrue();
		assertThat(body.at("/HostConfig/CapDrop/0").asString()).isEqualTo("ALL");
		assertThat(body.at("/NetworkingConfig/EndpointsConfig/lab_default/Aliases").toString())
			.isEqualTo("[\"api-service\"]");
		assertThat(template.at("/Config/Labels/com.docker.compose.container-number").asString())
			.as("the template is left as it was")
			.isEqualTo("1");
	}

	@Test
	void namesTheReplicaAsComposeV1AndV2Do() {
		assertThat(ComposeAutoscaler.name("/lab_api-service_1", 3)).isEqualTo("lab_api-service_3");
		assertThat(ComposeAutoscaler.name("/lab-api-service-1", 12)).isEqualTo("lab-api-service-12");
		assertThatIllegalArgumentException().isThrownBy(() -> ComposeAutoscaler.name("/redis", 2));
	}

	@Test
	void readsTheWorkersLagFromRedisCli() {
		String groups = """
				name
				workers
				consumers
				2
				pending
				3
				last-delivered-id
				1733000000000-0
				entries-read
				120
				lag
				42
				""";
		assertThat(ComposeAutoscaler.queueLag(groups)).isEqualTo(OptionalDouble.of(42));
		assertThat(ComposeAutoscaler.queueLag("ERR no such key\n")).as("no stream yet").isEqualTo(OptionalDouble.of(0));
		assertThat(ComposeAutoscaler.queueLag(groups.replace("lag\n42", "lag\n")))
			.as("Redis cannot tell (entries trimmed before the group read them)")
			.isEmpty();
		assertThat(ComposeAutoscaler.queueLag("NOAUTH Authentication required.\n")).isEmpty();
	}

	@Test
	void sumsTheLagOfEveryShard() {
		String workers = "name\nworkers\nconsumers\n2\npending\n3\nlag\n";
		String three = "== fulcrum:{jobs}:stream\n" + workers + "4\n== fulcrum:{jobs-1}:stream\nERR no such key\n"
				+ "== fulcrum:{jobs-2}:stream\n" + workers + "7\n";
		assertThat(ComposeAutoscaler.totalLag(three)).isEqualTo(OptionalDouble.of(11));
		assertThat(ComposeAutoscaler.totalLag("== fulcrum:{jobs}:stream\n" + workers + "5\n"))
			.as("one shard, as without JOBS_SHARDS")
			.isEqualTo(OptionalDouble.of(5));
		assertThat(ComposeAutoscaler.totalLag(three.replace("7\n", "\n"))).as("one shard's lag unknown").isEmpty();
		assertThat(ComposeAutoscaler.totalLag("NOAUTH Authentication required.\n")).as("no shard read").isEmpty();
	}

	@Test
	void readsEveryRecordedShardInTheRedisImageOfCompose() throws Exception {
		// The script as the Redis container of docker-compose.yml runs it (its shell, its
		// redis-cli), against a redis-server in that container.
		String image = "redis:7.4-alpine";
		if (exec("/usr/bin/docker", "image", "inspect", image).exit() != 0) {
			assertThat(System.getenv("FULCRUM_REQUIRE_DOCKER")).as("a Docker engine with " + image).isNotEqualTo("1");
			Assumptions.abort("no Docker engine with " + image);
		}
		String script = """
				redis-server --daemonize yes --requirepass "$REDIS_PASSWORD" --save '' >/dev/null
				c() { redis-cli --no-auth-warning -a "$REDIS_PASSWORD" "$@" >/dev/null 2>&1; }
				for _ in $(seq 100); do c PING && break; sleep 0.1; done
				echo '-- no job yet'
				( %s ) || echo "-- exit $?"
				c SET 'fulcrum:{jobs}:shards' 3
				for s in 'fulcrum:{jobs}:stream' 'fulcrum:{jobs-2}:stream'; do
				  c XGROUP CREATE "$s" workers 0 MKSTREAM
				  for i in 1 2 3; do c XADD "$s" '*' id "$i"; done
				done
				echo '-- three shards'
				( %s ) || echo "-- exit $?"
				""".formatted(ComposeAutoscaler.LAG, ComposeAutoscaler.LAG);
		Exec run = exec("/usr/bin/docker", "run", "--rm", "--entrypoint", "sh", "-e", "REDIS_PASSWORD=pw", image, "-c",
				script);
		assertThat(run.exit()).as(run.output()).isZero();
		String[] parts = run.output().split("-- three shards\n");
		assertThat(parts).as(run.output()).hasSize(2);
		assertThat(parts[0]).as(run.output()).doesNotContain("-- exit");
		assertThat(ComposeAutoscaler.totalLag(parts[0].substring(parts[0].indexOf("-- no job yet\n") + 14)))
			.as(run.output())
			.isEqualTo(OptionalDouble.of(0));
		assertThat(ComposeAutoscaler.totalLag(parts[1])).as("3 + none + 3: " + run.output())
			.isEqualTo(OptionalDouble.of(6));
	}

	private static Exec exec(String... command) throws Exception {
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true).start();
		}
		catch (java.io.IOException ex) {
			return new Exec(-1, ex.getMessage());
		}
		String output = new String(process.getInputStream().readAllBytes());
		if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
			process.destroyForcibly();
		}
		return new Exec(process.exitValue(), output);
	}

	private record Exec(int exit, String output) {
	}

	@Test
	void readsTheEnginesAnswersWhetherChunkedOrNot() throws Exception {
		DockerApi.Response plain = DockerApi.Response
			.parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]".getBytes(StandardCharsets.US_ASCII));
		assertThat(plain.status()).isEqualTo(200);
		assertThat(new String(plain.body(), StandardCharsets.US_ASCII)).isEqualTo("[]");
		DockerApi.Response chunked = DockerApi.Response
			.parse("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"Id\r\n6\r\n\":\"a\"}\r\n0\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
		assertThat(chunked.status()).isEqualTo(201);
		assertThat(new String(chunked.body(), StandardCharsets.US_ASCII)).isEqualTo("{\"Id\":\"a\"}");
	}

	@Test
	void keepsOnlyStandardOutputFromAnAttachedStream() {
		byte[] stream = { 1, 0, 0, 0, 0, 0, 0, 3, 'l', 'a', 'g', 2, 0, 0, 0, 0, 0, 0, 4, 'o', 'o', 'p', 's', 1, 0, 0, 0,
				0, 0, 0, 2, '\n', '7' };
		assertThat(DockerApi.stdout(stream)).isEqualTo("lag\n7");
	}

}
