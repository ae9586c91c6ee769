package dev.fulcrum.api;

/** The package boundaries of the api-service (test-support's rules). */
class ArchitectureTests extends dev.fulcrum.testsupport.ArchitectureTests {

	ArchitectureTests() {
		super(ApiServiceApplication.class);
	}

}
