package dev.fulcrum.system;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walking skeleton end to end: {@code ./fulcrum up} starts every process, the gateway
 * balances {@code /api/hello} over both API instances, and {@code ./fulcrum down} leaves
 * nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LocalStackSystemTests {

	static LocalStack stack;

	@BeforeAll
	@Timeout(value = 6, unit = TimeUnit.MINUTES)
	static void up() {
		stack = LocalStack.up();
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
		}
	}

	@Test
	@Order(1)
	void startsEveryProcessOfTheStack() {
		assertThat(stack.instances()).extracting(LocalStack.Entry::instance)
			.containsExactly("redis", "auth-service-1", "api-service-1", "api-service-2", "worker-service-1",
					"worker-service-2", "gateway-1");
	}

	@Test
	@Order(2)
	void everyServiceIsHealthy() {
		for (LocalStack.Entry entry : stack.instances()) {
			if (entry.health().startsWith("http")) {
				HttpResponse<String> health = TestHttp.get(entry.health());
				assertThat(health.statusCode()).as(entry.instance() + " readiness").isEqualTo(200);
				assertThat(TestHttp.json(health).get("status").asString()).as(entry.instance()).isEqualTo("UP");
			}
		}
		LocalStack.Result status = stack.fulcrum(Duration.ofSeconds(60), "status");
		assertThat(status.exitCode()).as(status.output()).isZero();
		assertThat(status.output().lines().skip(1)).hasSize(7).allSatisfy((line) -> assertThat(line).contains(" UP "));
	}

	@Test
	@Order(3)
	void gatewayServesHelloFromBothApiInstances() {
		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> response = TestHttp.get(stack.url("gateway") + "/api/hello");
			assertThat(response.statusCode()).isEqualTo(200);
			String instance = response.headers().firstValue("X-Served-By").orElseThrow();
			assertThat(TestHttp.json(response).get("instance").asString()).isEqualTo(instance);
			servedBy.add(instance);
		}
		assertThat(servedBy).containsExactlyInAnyOrder("api-service-1", "api-service-2");
	}

	@Test
	@Order(4)
	void carriesOneRequestIdThroughTheGateway() {
		HttpResponse<String> response = TestHttp.get(stack.url("gateway") + "/api/hello", "X-Request-Id",
				"system-test-1");
		assertThat(response.headers().allValues("X-Request-Id")).containsExactly("system-test-1");
	}

	@Test
	@Order(5)
	void doesNotRouteManagementEndpoints() {
		HttpResponse<String> response = TestHttp.get(stack.url("gateway") + "/actuator/health");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("X-Served-By")).as("answered by a routed service").isEmpty();
	}

	@Test
	@Order(6)
	void downLeavesNothingRunning() {
		List<LocalStack.Entry> instances = stack.instances();
		assertThat(stack.liveProcesses()).as("processes of the stack before down").hasSizeGreaterThanOrEqualTo(7);

		LocalStack.Result down = stack.fulcrum(Duration.ofMinutes(1), "down");

		assertThat(down.exitCode()).as(down.output()).isZero();
		assertThat(stack.liveProcesses()).as("processes of the stack after down").isEmpty();
		assertThat(instances).allSatisfy(
				(entry) -> assertThat(ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive)).as(entry.instance())
					.isEmpty());
		LocalStack.Result status = stack.fulcrum(Duration.ofSeconds(30), "status");
		assertThat(status.exitCode()).isEqualTo(1);
		assertThat(status.output()).contains("nothing is running");
	}

}
