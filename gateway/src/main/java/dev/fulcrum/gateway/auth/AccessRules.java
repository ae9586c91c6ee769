package dev.fulcrum.gateway.auth;

import java.util.List;
import java.util.regex.Pattern;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * {@link EdgeAuthProperties}, parsed once. Paths are matched the way the gateway's
 * {@code Path} route predicates match them (decoded segments, without matrix parameters),
 * so a request cannot look public here and protected to the router.
 */
final class AccessRules {

	private static final Pattern METHOD = Pattern.compile("[A-Z]+");

	private final List<PathPattern> protectedPaths;

	private final List<PublicEndpoint> publicEndpoints;

	private AccessRules(List<PathPattern> protectedPaths, List<PublicEndpoint> publicEndpoints) {
		this.protectedPaths = protectedPaths;
		this.publicEndpoints = publicEndpoints;
	}

	static AccessRules of(EdgeAuthProperties properties) {
		if (properties.protectedPaths().isEmpty()) {
			// A gateway that protects nothing is a typo, not a choice.
			throw new IllegalArgumentException("fulcrum.gateway.auth.protected-paths is empty");
		}
		return new AccessRules(properties.protectedPaths().stream().map(AccessRules::pattern).toList(),
				properties.publicPaths().stream().map(PublicEndpoint::parse).toList());
	}

	/**
	 * Tells whether a request must carry a valid access token to be routed.
	 * @param request the request
	 * @return {@code true} for a protected path that is not a public endpoint
	 */
	boolean needsToken(ServerHttpRequest request) {
		PathContainer path = request.getPath().pathWithinApplication();
		return this.protectedPaths.stream().anyMatch((pattern) -> pattern.matches(path))
				&& this.publicEndpoints.stream().noneMatch((endpoint) -> endpoint.matches(request.getMethod(), path));
	}

	private static PathPattern pattern(String entry) {
		String path = entry.strip();
		if (!path.startsWith("/")) {
			throw new IllegalArgumentException("Not a path (it must start with '/'): '" + path + "'");
		}
		return PathPatternParser.defaultInstance.parse(path);
	}

	private record PublicEndpoint(HttpMethod method, PathPattern path) {

		static PublicEndpoint parse(String entry) {
			String[] parts = entry.strip().split("\\s+");
			if (parts.length != 2 || !METHOD.matcher(parts[0]).matches()) {
				throw new IllegalArgumentException(
						"fulcrum.gateway.auth.public-paths: '" + entry + "' is not 'METHOD /path'");
			}
			return new PublicEndpoint(HttpMethod.valueOf(parts[0]), pattern(parts[1]));
		}

		/** HEAD is GET without the body (RFC 9110), so a public GET is a public HEAD. */
		boolean matches(HttpMethod method, PathContainer path) {
			boolean sameMethod = this.method.equals(method)
					|| (HttpMethod.GET.equals(this.method) && HttpMethod.HEAD.equals(method));
			return sameMethod && this.path.matches(path);
		}

	}

}
