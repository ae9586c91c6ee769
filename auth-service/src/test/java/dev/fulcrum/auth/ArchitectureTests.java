package dev.fulcrum.auth;

/** The package boundaries of the auth-service (test-support's rules). */
class ArchitectureTests extends dev.fulcrum.testsupport.ArchitectureTests {

	ArchitectureTests() {
		super(AuthServiceApplication.class);
	}

}
