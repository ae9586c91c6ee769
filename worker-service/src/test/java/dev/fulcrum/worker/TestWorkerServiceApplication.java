package dev.fulcrum.worker;

import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.boot.SpringApplication;

/**
 * Runs the worker-service from the IDE against the test Redis (a container where Docker
 * runs, else the embedded binary): no Redis to install.
 */
public class TestWorkerServiceApplication {

	public static void main(String[] args) {
		SpringApplication.from(WorkerServiceApplication::main).with(TestRedisConfiguration.class).run(args);
	}

}
