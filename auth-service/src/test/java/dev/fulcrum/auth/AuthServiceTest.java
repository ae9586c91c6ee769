package dev.fulcrum.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The one auth-service test context (shared by every test class, so it starts once): real
 * HTTP on a random port, real Redis, cheap password hashing and small throttle limits so
 * that tests stay fast.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.instance-id=auth-test-1",
				"fulcrum.auth.password.memory-kib=1024", "fulcrum.auth.password.iterations=1",
				"fulcrum.auth.refresh-grace=5s", "fulcrum.auth.throttle.per-username-and-address=3",
				"fulcrum.auth.throttle.per-username=6", "fulcrum.auth.throttle.per-address=8",
				"fulcrum.auth.throttle.registrations-per-address=10", "fulcrum.auth.max-sessions-per-user=4" })
@Import({ TestRedisConfiguration.class, CountingPasswordEncoder.Configuration.class })
public @interface AuthServiceTest {

}
