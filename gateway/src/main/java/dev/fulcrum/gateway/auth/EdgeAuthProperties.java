package dev.fulcrum.gateway.auth;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which requests need an access token at the gateway ({@code fulcrum.gateway.auth.*}). A
 * request needs one when its path matches a protected path and it is not a public
 * endpoint. Paths are Spring path patterns matched against the path alone (never the
 * query), so {@code /api/hello} is that path exactly, not its sub-paths.
 *
 * @param protectedPaths path patterns whose requests need a token, for example
 * {@code /api/**}; must not be empty
 * @param publicPaths the exceptions, each {@code METHOD /path}, for example
 * {@code GET /api/hello}; a public {@code GET} is also a public {@code HEAD}
 */
@ConfigurationProperties("fulcrum.gateway.auth")
public record EdgeAuthProperties(List<String> protectedPaths, List<String> publicPaths) {

	public EdgeAuthProperties {
		protectedPaths = (protectedPaths != null) ? List.copyOf(protectedPaths) : List.of();
		publicPaths = (publicPaths != null) ? List.copyOf(publicPaths) : List.of();
	}

}
