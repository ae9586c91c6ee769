package dev.fulcrum.auth;

import dev.fulcrum.testsupport.ServiceContractTests;

@AuthServiceTest
class AuthServiceApplicationTests extends ServiceContractTests {

	@Override
	protected String instanceId() {
		return "auth-test-1";
	}

}
