package dev.fulcrum.worker;

/** The package boundaries of the worker-service (test-support's rules). */
class ArchitectureTests extends dev.fulcrum.testsupport.ArchitectureTests {

	ArchitectureTests() {
		super(WorkerServiceApplication.class);
	}

}
