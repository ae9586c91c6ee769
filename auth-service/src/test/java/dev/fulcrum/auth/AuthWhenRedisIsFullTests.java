package dev.fulcrum.auth;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static dev.fulcrum.auth.AuthFlowTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis full ({@code maxmemory} reached, {@code noeviction}: every write refused with
 * {@code OOM}, reads still answered), over real HTTP and real Redis: login, registration,
 * refresh and logout answer 503 {@code store-full} problems, never 500, and a logout that
 * could not record its revocation says so instead of 204; tokens issued before keep
 * verifying; once memory frees, everything works again without a restart.
 */
@AuthServiceTest
class AuthWhenRedisIsFullTests {

	@LocalServerPort
	int port;

	@Autowired
	StringRedisTemplate redis;

	@AfterEach
	void memoryFreed() {
		full(false);
	}

	@Test
	void answersCleanProblemsWhileFullAndRecoversWhenMemoryFrees() {
		AuthClient client = new AuthClient(this.port);
		String username = AuthClient.newUsername();
		client.register(username, AuthClient.PASSWORD);
		JsonNode session = client.loginOk(username);
		String accessToken = session.get("access_token").asString();

		full(true);
		assertProblem(client.login(username, AuthClient.PASSWORD), 503, "store-full");
		assertProblem(client.register(AuthClient.newUsername(), AuthClient.PASSWORD), 503, "store-full");
		assertProblem(client.refresh(session.get("refresh_token").asString()), 503, "store-full");
		HttpResponse<String> logout = client.postWithToken("/auth/logout", accessToken);
		assertProblem(logout, 503, "store-full");
		assertThat(logout.headers().firstValue("Retry-After")).isPresent();
		assertThat(client.me(accessToken).statusCode()).as("a valid token still verifies").isEqualTo(200);

		full(false);
		assertThat(client.postWithToken("/auth/logout", accessToken).statusCode()).as("the logout, retried")
			.isEqualTo(204);
		assertThat(client.me(accessToken).statusCode()).isEqualTo(401);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> client.login(username, AuthClient.PASSWORD).statusCode() == 200);
	}

	/** Makes every write fail as on a full Redis, or lifts that. */
	private void full(boolean full) {
		this.redis.execute((RedisCallback<Object>) (connection) -> {
			connection.serverCommands().setConfig("maxmemory-policy", "noeviction");
			connection.serverCommands().setConfig("maxmemory", full ? "1" : "0");
			return null;
		});
	}

}
