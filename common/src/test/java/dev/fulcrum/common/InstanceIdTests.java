package dev.fulcrum.common;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class InstanceIdTests {

	@Test
	void usesTheConfiguredId() {
		MockEnvironment environment = new MockEnvironment().withProperty("fulcrum.instance-id", " api-service-2 ");
		assertThat(InstanceId.from(environment).value()).isEqualTo("api-service-2");
	}

	@Test
	void fallsBackToHostAndPort() {
		MockEnvironment environment = new MockEnvironment().withProperty("server.port", "8092");
		assertThat(InstanceId.from(environment).value()).endsWith(":8092").doesNotStartWith(":");
	}

	@Test
	void refusesABlankId() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InstanceId(" "));
	}

}
