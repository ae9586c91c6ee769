package dev.fulcrum.token.servlet;

import dev.fulcrum.token.AccessToken;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by a verified access token. The principal is the
 * {@link AccessToken}; each role {@code R} is the authority {@code ROLE_R}.
 */
public final class AccessTokenAuthentication extends AbstractAuthenticationToken {

	private final AccessToken token;

	AccessTokenAuthentication(AccessToken token) {
		super(token.roles().stream().map((role) -> new SimpleGrantedAuthority("ROLE_" + role)).toList());
		this.token = token;
		setAuthenticated(true);
	}

	@Override
	public AccessToken getPrincipal() {
		return this.token;
	}

	@Override
	public Object getCredentials() {
		return null;
	}

	@Override
	public String getName() {
		return this.token.username();
	}

}
