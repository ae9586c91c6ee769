package dev.fulcrum.auth;

import dev.fulcrum.testsupport.ServiceContractTests;
import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.instance-id=auth-test-1" })
@Import(TestRedisConfiguration.class)
class AuthServiceApplicationTests extends ServiceContractTests {

	@Override
	protected String instanceId() {
		return "auth-test-1";
	}

}
