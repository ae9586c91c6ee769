package dev.fulcrum.common;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Wires what every Fulcrum service shares: its {@link InstanceId} and, in servlet
 * services, the request id and {@code X-Served-By} headers.
 */
@AutoConfiguration
public class FulcrumCommonAutoConfiguration {

	@Bean
	InstanceId instanceId(Environment environment) {
		return InstanceId.from(environment);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletConfiguration {

		@Bean
		FilterRegistrationBean<RequestIdFilter> requestIdFilter(InstanceId instanceId) {
			FilterRegistrationBean<RequestIdFilter> registration = new FilterRegistrationBean<>(
					new RequestIdFilter(instanceId));
			// First of all filters, so that every later log line of the request carries
			// the id.
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
