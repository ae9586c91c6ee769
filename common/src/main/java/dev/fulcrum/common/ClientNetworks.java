package dev.fulcrum.common;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What limits count a client by: its IPv4 address, or the /64 of its IPv6 address, the
 * smallest network a host is usually given. A client can send from any of its network's
 * 2^64 addresses, so counting each apart would count nothing.
 */
public final class ClientNetworks {

	private ClientNetworks() {
	}

	/**
	 * The network of a client address.
	 * @param address an IP literal, as text
	 * @return an IPv4 address as it is, the IPv4 address an IPv4-mapped IPv6 one maps, or
	 * an IPv6 address's /64 such as {@code 2001:db8:0:1::/64}; {@code invalid} for an
	 * IPv6 literal that does not parse
	 */
	public static String of(String address) {
		if (address.indexOf(':') < 0) {
			return address;
		}
		byte[] bytes;
		try {
			// With a colon it can only be an IPv6 literal: parsed, never looked up.
			bytes = InetAddress.getByName(address).getAddress();
		}
		catch (UnknownHostException ex) {
			return "invalid";
		}
		if (bytes.length == 4) {
			return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
		}
		StringBuilder prefix = new StringBuilder();
		for (int i = 0; i < 8; i += 2) {
			prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
		}
		return prefix.append(":/64").toString();
	}

}
