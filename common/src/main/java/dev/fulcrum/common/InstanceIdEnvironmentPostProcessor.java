package dev.fulcrum.common;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolves the instance id before logging starts, so that configuration such as
 * {@code logging.structured.ecs.service.node-name: ${fulcrum.instance-id}} can use it.
 */
class InstanceIdEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		InstanceId id = InstanceId.from(environment);
		environment.getPropertySources()
			.addLast(new MapPropertySource("fulcrumInstanceId", Map.of(InstanceId.PROPERTY, id.value())));
	}

	@Override
	public int getOrder() {
		// After the config data (application.yml, environment variables) has been loaded.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
