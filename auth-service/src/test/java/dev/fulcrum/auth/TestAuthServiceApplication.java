package dev.fulcrum.auth;

import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.boot.SpringApplication;

/**
 * Runs the auth-service from the IDE against the test Redis (a container where Docker
 * runs, else the embedded binary): no Redis to install.
 */
public class TestAuthServiceApplication {

	public static void main(String[] args) {
		SpringApplication.from(AuthServiceApplication::main).with(TestRedisConfiguration.class).run(args);
	}

}
