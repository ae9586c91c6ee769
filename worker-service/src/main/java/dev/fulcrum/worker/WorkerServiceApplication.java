package dev.fulcrum.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The worker service: drains the job stream. Its only HTTP port is the management port
 * (health, metrics); it takes work from Redis, never from clients.
 */
@SpringBootApplication
public class WorkerServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(WorkerServiceApplication.class, args);
	}

}
