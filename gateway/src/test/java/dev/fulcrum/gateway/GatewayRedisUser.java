package dev.fulcrum.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import dev.fulcrum.testsupport.TestRedis;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connects the gateway under test as compose, Kubernetes and {@code ./fulcrum up} connect
 * it: as the user {@code gateway} of the shipped ACL file
 * ({@code docker/redis-users.acl}), created in the test Redis with a password of its own.
 * {@code @Import(GatewayRedisUser.class)}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class GatewayRedisUser {

	@Bean
	DataRedisConnectionDetails gatewayRedisUser() throws IOException {
		String password = "gateway-test-" + UUID.randomUUID();
		command("ACL SETUSER " + aclRules("gateway").replace("GATEWAY_PASSWORD", password));
		TestRedis.Endpoint redis = TestRedis.start();
		return new DataRedisConnectionDetails() {

			@Override
			public String getUsername() {
				return "gateway";
			}

			@Override
			public String getPassword() {
				return password;
			}

			@Override
			public Standalone getStandalone() {
				return Standalone.of(redis.host(), redis.port());
			}

		};
	}

	/**
	 * A user's rules from the shipped ACL file, after {@code user <name> }.
	 * @param user the user
	 * @return its rules
	 * @throws IOException if the file cannot be read
	 */
	public static String aclRules(String user) throws IOException {
		Path file = Path.of("..", "docker", "redis-users.acl");
		return Files.readAllLines(file)
			.stream()
			.filter((line) -> line.startsWith("user " + user + " "))
			.findFirst()
			.orElseThrow()
			.substring("user ".length());
	}

	/**
	 * Sends one inline command to the test Redis as its default user; expects a simple
	 * answer ({@code +OK}, or an integer).
	 * @param command the command
	 * @return the answer's first line
	 * @throws IOException if Redis cannot be reached
	 */
	public static String command(String command) throws IOException {
		TestRedis.Endpoint redis = TestRedis.start();
		try (Socket socket = new Socket(redis.host(), redis.port())) {
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
			String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
				.readLine();
			assertThat(answer).as(command).doesNotStartWith("-");
			return answer;
		}
	}

}
