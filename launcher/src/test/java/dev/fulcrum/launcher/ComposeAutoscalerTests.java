package dev.fulcrum.launcher;

import java.nio.charset.StandardCharsets;
import java.util.OptionalDouble;

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
