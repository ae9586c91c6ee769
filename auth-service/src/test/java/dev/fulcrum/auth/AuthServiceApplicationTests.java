package dev.fulcrum.auth;

import java.util.List;

import dev.fulcrum.testsupport.ServiceContractTests;

@AuthServiceTest
class AuthServiceApplicationTests extends ServiceContractTests {

	@Override
	protected String instanceId() {
		return "auth-test-1";
	}

	@Override
	protected List<String> openApiDocument() {
		return List.of("/auth/openapi.json", "POST /auth/register", "POST /auth/login", "POST /auth/refresh",
				"POST /auth/logout", "GET /.well-known/jwks.json");
	}

}
