package dev.fulcrum.gateway.proxy;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The response timeout of proxied calls, kept by Reactor Netty on the connection's own
 * event loop (a read-timeout handler from the request sent to the response read). Spring
 * Cloud Gateway's own {@code httpclient.response-timeout} does the same with a Reactor
 * {@code timeout} operator, which schedules and cancels a task on a shared scheduler for
 * every request: measurable at the edge. A timeout ends in a 504 {@code upstream-timeout}
 * problem.
 */
@Configuration(proxyBeanMethods = false)
class ResponseTimeoutConfiguration {

	@Bean
	HttpClientCustomizer responseTimeout(@Value("${fulcrum.gateway.response-timeout:10s}") Duration timeout) {
		return (client) -> client.responseTimeout(timeout);
	}

}
