package dev.fulcrum.token.servlet;

import dev.fulcrum.token.TokenAuthenticator;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * What every servlet service's {@code SecurityFilterChain} shares: stateless access-token
 * authentication, problem responses, and no session, form login, HTTP Basic or
 * server-side CSRF token (cookie-authenticated requests are checked by double submit in
 * the filter, see {@link dev.fulcrum.token.CsrfProtection}). A service adds its own
 * authorization rules.
 */
public final class AccessTokenSecurity {

	private final TokenAuthenticator authenticator;

	private final AccessTokenEntryPoint entryPoint = new AccessTokenEntryPoint();

	public AccessTokenSecurity(TokenAuthenticator authenticator) {
		this.authenticator = authenticator;
	}

	/**
	 * Applies the shared configuration.
	 * @param http the service's security builder
	 * @return the same builder, for the service's authorization rules
	 */
	public HttpSecurity apply(HttpSecurity http) {
		return http.csrf(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this.entryPoint)
				.accessDeniedHandler(this.entryPoint))
			.addFilterBefore(new AccessTokenFilter(this.authenticator), AnonymousAuthenticationFilter.class);
	}

}
