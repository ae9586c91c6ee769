package dev.fulcrum.gateway.auth;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which requests need a token: protected paths minus exact public endpoints, matched the
 * way the router matches paths.
 */
class AccessRulesTests {

	private final AccessRules rules = AccessRules
		.of(new EdgeAuthProperties(List.of("/api/**", "/auth/**", "/.well-known/**"),
				List.of("GET /api/hello", "POST /auth/login", "GET /.well-known/jwks.json")));

	@Test
	void exemptsAPublicEndpointWhateverItsQuery() {
		assertThat(needsToken(HttpMethod.GET, "/api/hello")).isFalse();
		assertThat(needsToken(HttpMethod.GET, "/api/hello?name=x&y=%2F")).isFalse();
		assertThat(needsToken(HttpMethod.GET, "/api/hell%6F")).isFalse();
		assertThat(needsToken(HttpMethod.GET, "/api/hello;v=1")).isFalse();
		assertThat(needsToken(HttpMethod.POST, "/auth/login")).isFalse();
	}

	@Test
	void exemptsOnlyTheListedMethod() {
		assertThat(needsToken(HttpMethod.POST, "/api/hello")).isTrue();
		assertThat(needsToken(HttpMethod.DELETE, "/api/hello")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/auth/login")).isTrue();
		assertThat(needsToken(HttpMethod.HEAD, "/auth/login")).isTrue();
	}

	@Test
	void treatsHeadOfAPublicGetAsPublic() {
		assertThat(needsToken(HttpMethod.HEAD, "/api/hello")).isFalse();
	}

	@Test
	void protectsSubPathsAndLookAlikesOfPublicEndpoints() {
		assertThat(needsToken(HttpMethod.GET, "/api/hello/more")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/api/hello/")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/api/hello%2F..%2Fme")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/api/hello/../me")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/api/helloworld")).isTrue();
	}

	@Test
	void protectsEverythingTheRoutesMatch() {
		assertThat(needsToken(HttpMethod.GET, "/api")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/api/me")).isTrue();
		assertThat(needsToken(HttpMethod.DELETE, "/auth/sessions/1")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/%61pi/me")).isTrue();
	}

	@Test
	void protectsTheJwksPathExceptItsPublicGet() {
		assertThat(needsToken(HttpMethod.GET, "/.well-known/jwks.json")).isFalse();
		assertThat(needsToken(HttpMethod.POST, "/.well-known/jwks.json")).isTrue();
		assertThat(needsToken(HttpMethod.GET, "/.well-known/other")).isTrue();
	}

	@Test
	void leavesUnroutedPathsAlone() {
		assertThat(needsToken(HttpMethod.GET, "/actuator/health")).isFalse();
		assertThat(needsToken(HttpMethod.GET, "/")).isFalse();
		assertThat(needsToken(HttpMethod.GET, "/apix/me")).isFalse();
	}

	@Test
	void refusesAPublicEntryWithoutAMethod() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AccessRules.of(new EdgeAuthProperties(List.of("/api/**"), List.of("/api/hello"))))
			.withMessageContaining("'/api/hello' is not 'METHOD /path'");
	}

	@Test
	void refusesToProtectNothing() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AccessRules.of(new EdgeAuthProperties(List.of(), List.of("GET /api/hello"))))
			.withMessageContaining("protected-paths");
	}

	private boolean needsToken(HttpMethod method, String uri) {
		return this.rules.needsToken(MockServerHttpRequest.method(method, URI.create(uri)).build());
	}

}
