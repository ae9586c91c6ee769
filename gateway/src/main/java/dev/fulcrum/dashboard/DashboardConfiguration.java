package dev.fulcrum.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.dashboard.DashboardSampler;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

/**
 * The live dashboard, on the management port only (never the public one, which a child
 * context keeps apart): {@code GET /dashboard/} the page, its script and style, and uPlot
 * (from its WebJar, in the jar: nothing is fetched from the internet);
 * {@code GET /dashboard/stream} server-sent events, a {@code history} event with the last
 * minutes, then a {@code snapshot} event a second. Switching a strategy from the page
 * calls {@code POST /actuator/balancing/{route}} with the management token the user types
 * in.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class DashboardConfiguration {

	/**
	 * What the page may load and where it may connect: itself, nothing else.
	 */
	public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
			+ "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

	private static final Resource PAGE = new ClassPathResource("dashboard/index.html");

	@Bean
	DashboardStreams dashboardStreams(DashboardSampler sampler) {
		return new DashboardStreams(sampler);
	}

	@Bean
	RouterFunction<ServerResponse> dashboardRoutes(DashboardStreams streams) {
		return RouterFunctions
			.route(GET("/dashboard"),
					(request) -> ServerResponse.permanentRedirect(request.uriBuilder().path("/").build()).build())
			.andRoute(GET("/dashboard/"), (request) -> page())
			.andRoute(GET("/dashboard/stream"),
					(request) -> ServerResponse.ok()
						.contentType(MediaType.TEXT_EVENT_STREAM)
						.body(BodyInserters.fromServerSentEvents(streams.stream())))
			.and(RouterFunctions.resources("/dashboard/uplot/**", uplot()))
			.and(RouterFunctions.resources("/dashboard/**", new ClassPathResource("dashboard/")));
	}

	/**
	 * The page's headers: the policy above, no content-type sniffing, not framed.
	 * @return the filter, for the management port's paths under {@code /dashboard}
	 */
	@Bean
	WebFilter dashboardHeaders() {
		return (exchange, chain) -> {
			if (exchange.getRequest().getPath().value().startsWith("/dashboard")) {
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
				headers.set("X-Content-Type-Options", "nosniff");
				headers.set("Referrer-Policy", "no-referrer");
				// The page and its script come from the jar: after an upgrade, the new
				// ones.
				headers.set(HttpHeaders.CACHE_CONTROL, "no-cache");
			}
			return chain.filter(exchange);
		};
	}

	private static Mono<ServerResponse> page() {
		return ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(PAGE);
	}

	/** uPlot's files, from the WebJar of the version the build took. */
	private static Resource uplot() {
		Properties pom = new Properties();
		try (InputStream in = new ClassPathResource("META-INF/maven/org.webjars.npm/uplot/pom.properties")
			.getInputStream()) {
			pom.load(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("uPlot's WebJar is missing", ex);
		}
		return new ClassPathResource("META-INF/resources/webjars/uplot/" + pom.getProperty("version") + "/dist/");
	}

}
