package dev.fulcrum.token.servlet;

import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.BearerToken;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by a verified access token. The principal is the
 * {@link AccessToken}; each role {@code R} is the authority {@code ROLE_R}.
 */
public final class AccessTokenAuthentication extends AbstractAuthenticationToken {

	private final AccessToken token;

	private final BearerToken.Source source;

	AccessTokenAuthentication(AccessToken token, BearerToken.Source source) {
		super(token.roles().stream().map((role) -> new SimpleGrantedAuthority("ROLE_" + role)).toList());
		this.token = token;
		this.source = source;
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

	/**
	 * Where the token came from.
	 * @return header or cookie
	 */
	public BearerToken.Source source() {
		return this.source;
	}

}
