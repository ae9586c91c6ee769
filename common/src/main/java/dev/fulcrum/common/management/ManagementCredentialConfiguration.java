package dev.fulcrum.common.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Puts {@link ManagementCredential} in front of the actuator endpoints, in the management
 * context (the management port's own, or the main one when they share a port), for
 * servlet and reactive services alike.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
public class ManagementCredentialConfiguration {

	@Bean
	ManagementCredential managementCredential(@Value("${" + ManagementCredential.PROPERTY + ":}") String token) {
		return new ManagementCredential(token);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(Filter.class)
	static class Servlet {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		Filter managementCredentialFilter(ManagementCredential credential,
				@Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
			return new OncePerRequestFilter() {
				@Override
				protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
						FilterChain chain) throws ServletException, IOException {
					ManagementCredential.Refusal refusal = credential.check(request.getMethod(),
							request.getRequestURI(), basePath, request.getHeader(HttpHeaders.AUTHORIZATION));
					if (refusal == null) {
						chain.doFilter(request, response);
						return;
					}
					response.setStatus(refusal.status());
					if (refusal.status() == 401) {
						response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"management\"");
					}
					response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
					response.getOutputStream()
						.write(refusal.json(request.getRequestURI()).getBytes(StandardCharsets.UTF_8));
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(WebFilter.class)
	static class Reactive {

		@Bean
		WebFilter managementCredentialWebFilter(ManagementCredential credential,
				@Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
			return new OrderedWebFilter(credential, basePath);
		}

	}

	/** The reactive check, first of the management port's filters. */
	static final class OrderedWebFilter implements WebFilter, Ordered {

		private final ManagementCredential credential;

		private final String basePath;

		OrderedWebFilter(ManagementCredential credential, String basePath) {
			this.credential = credential;
			this.basePath = basePath;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			ServerHttpRequest request = exchange.getRequest();
			String path = request.getPath().value();
			ManagementCredential.Refusal refusal = this.credential.check(request.getMethod().name(), path,
					this.basePath, request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
			if (refusal == null) {
				return chain.filter(exchange);
			}
			ServerHttpResponse response = exchange.getResponse();
			response.setStatusCode(HttpStatusCode.valueOf(refusal.status()));
			if (refusal.status() == 401) {
				response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"management\"");
			}
			response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
			DataBuffer body = response.bufferFactory().wrap(refusal.json(path).getBytes(StandardCharsets.UTF_8));
			return response.writeWith(Mono.just(body));
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

}
