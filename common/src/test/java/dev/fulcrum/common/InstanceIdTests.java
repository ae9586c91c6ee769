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
	void takesTheServiceAndNumberOfAComposeContainerName() {
		assertThat(InstanceId.fromContainerName("fulcrum-api-service-2.fulcrum_default.", "api-service"))
			.contains(new InstanceId("api-service-2"));
		assertThat(InstanceId.fromContainerName("fulcrum_api-service_12.fulcrum_default.", "api-service"))
			.contains(new InstanceId("api-service-12"));
		assertThat(InstanceId.fromContainerName("my-app-gateway-1", "gateway")).contains(new InstanceId("gateway-1"));
	}

	@Test
	void ignoresANameThatIsNotTheServicesContainer() {
		assertThat(InstanceId.fromContainerName("a4b62a083ed4", "api-service")).isEmpty();
		assertThat(InstanceId.fromContainerName("fulcrum-worker-service-1.fulcrum_default.", "api-service")).isEmpty();
		assertThat(InstanceId.fromContainerName("fulcrum-api-service-2", "")).isEmpty();
	}

	@Test
	void fallsBackToHostAndPortWhenTheContainerNameCannotBeFound() {
		MockEnvironment environment = new MockEnvironment().withProperty("server.port", "8093")
			.withProperty("INSTANCE_ID_FROM", "container-name")
			.withProperty("spring.application.name", "api-service");
		assertThat(InstanceId.from(environment).value()).endsWith(":8093");
	}

	@Test
	void refusesABlankId() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InstanceId(" "));
	}

}
