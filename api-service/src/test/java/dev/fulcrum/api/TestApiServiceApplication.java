package dev.fulcrum.api;

import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.boot.SpringApplication;

/**
 * Runs the api-service from the IDE against the test Redis (a container where Docker
 * runs, else the embedded binary): no Redis to install.
 */
public class TestApiServiceApplication {

	public static void main(String[] args) {
		SpringApplication.from(ApiServiceApplication::main).with(TestRedisConfiguration.class).run(args);
	}

}
