package dev.fulcrum.auth.login;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

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
	 * address by its /64, the smallest network a host is usually given (a client can pick
	 * any of its 2^64 addresses, so counting each apart would count nothing).
	 * @param address an address from {@link #of}
	 * @return the address, or for IPv6 its /64 such as {@code 2001:db8:0:1::/64}
	 */
	public static String throttled(String address) {
		if (address.indexOf(':') < 0) {
			return address;
		}
		byte[] bytes;
		try {
			// A literal (checked by of): parsed, never looked up.
			bytes = InetAddress.getByName(address).getAddress();
		}
		catch (UnknownHostException ex) {
			return "invalid";
		}
		if (bytes.length == 4) {
			// IPv4-mapped: the IPv4 address it maps.
			return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
		}
		StringBuilder prefix = new StringBuilder();
		for (int i = 0; i < 8; i += 2) {
			prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
		}
		return prefix.append(":/64").toString();
	}

}
