package dev.fulcrum.gateway;

/**
 * The gateway's package boundaries (test-support's rules). Its filter order, declared in
 * {@link FilterOrder}, is checked on the running chain by {@code FilterChainTests}.
 */
class ArchitectureTests extends dev.fulcrum.testsupport.ArchitectureTests {

	ArchitectureTests() {
		super(GatewayApplication.class);
	}

}
