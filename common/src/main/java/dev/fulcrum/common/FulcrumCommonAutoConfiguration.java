package dev.fulcrum.common;

import dev.fulcrum.common.problem.ProblemExceptionHandler;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Wires what every Fulcrum service shares: its {@link InstanceId} and, in servlet
 * services, the request id and {@code X-Served-By} headers.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration")
public class FulcrumCommonAutoConfiguration {

	@Bean
	InstanceId instanceId(Environment environment) {
		return InstanceId.from(environment);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletConfiguration {

		@Bean
		@ConditionalOnMissingBean(ResponseEntityExceptionHandler.class)
		ProblemExceptionHandler problemExceptionHandler() {
			return new ProblemExceptionHandler();
		}

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
