package dev.fulcrum.auth.login;

import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import dev.fulcrum.common.ClientNetworks;

/**
 * The client's address, as Tomcat resolved it ({@code X-Forwarded-For} counts only from a
 * trusted proxy: {@code server.tomcat.remoteip.internal-proxies}). It ends up in Redis
 * keys and in the session list, so anything that is not an IP literal becomes
 * {@code invalid}.
 */
public final class ClientAddress {

	private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

	private ClientAddress() {
	}

	/**
	 * The address of a request's client.
	 * @param request the request
	 * @return an IPv4 or IPv6 literal, or {@code invalid}
	 */
	public static String of(HttpServletRequest request) {
		String address = request.getRemoteAddr();
		return (address != null && IP_LITERAL.matcher(address).matches()) ? address : "invalid";
	}

	/**
	 * The part of an address that throttling counts by: an IPv4 address whole, an IPv6
	 * address by its /64 ({@link ClientNetworks}).
	 * @param address an address from {@link #of}
	 * @return the address, or for IPv6 its /64 such as {@code 2001:db8:0:1::/64}
	 */
	public static String throttled(String address) {
		return ClientNetworks.of(address);
	}

}
