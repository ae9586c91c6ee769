package dev.fulcrum.token;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CsrfProtectionTests {

	final BearerToken cookie = BearerToken.of(null, "token");

	final BearerToken header = BearerToken.of("Bearer token", "other");

	@Test
	void headerTokensWinAndNeedNoCsrfToken() {
		assertThat(this.header.source()).isEqualTo(BearerToken.Source.HEADER);
		assertThat(this.header.value()).isEqualTo("token");
		assertThat(CsrfProtection.allows("POST", this.header, null, null)).isTrue();
	}

	@Test
	void cookieTokensNeedTheMatchingHeaderToChangeState() {
		assertThat(CsrfProtection.allows("GET", this.cookie, null, null)).isTrue();
		assertThat(CsrfProtection.allows("POST", this.cookie, null, null)).isFalse();
		assertThat(CsrfProtection.allows("DELETE", this.cookie, "abc", "abd")).isFalse();
		assertThat(CsrfProtection.allows("POST", this.cookie, "", "")).isFalse();
		assertThat(CsrfProtection.allows("POST", this.cookie, "abc", "abc")).isTrue();
	}

	@Test
	void requestsWithoutTokensAreLeftToAuthorization() {
		assertThat(BearerToken.of(null, null)).isNull();
		assertThat(BearerToken.of("Basic dXNlcjpwYXNz", null)).isNull();
		assertThat(CsrfProtection.allows("POST", null, null, null)).isTrue();
	}

	@Test
	void makesUnguessableTokens() {
		assertThat(CsrfProtection.newToken()).hasSize(43).isNotEqualTo(CsrfProtection.newToken());
	}

}
