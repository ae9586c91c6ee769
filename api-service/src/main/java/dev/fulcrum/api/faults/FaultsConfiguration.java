package dev.fulcrum.api.faults;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The fault switch, only when {@code fulcrum.faults.enabled=true}: without it there is no
 * filter and no endpoint at all.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("fulcrum.faults.enabled")
class FaultsConfiguration {

	@Bean
	FaultsFilter faultsFilter() {
		return new FaultsFilter();
	}

	@Bean
	FaultsEndpoint faultsEndpoint(FaultsFilter filter) {
		return new FaultsEndpoint(filter);
	}

}
