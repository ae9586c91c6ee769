package dev.fulcrum.gateway.edge;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Who the client is, by address: the peer, unless the peer is a trusted proxy
 * ({@code GATEWAY_TRUSTED_PROXIES}); then the nearest address in {@code X-Forwarded-For}
 * that is not a trusted proxy itself. A client cannot claim another address by sending
 * the header itself.
 */
@Component
public class ClientAddresses {

	private final Pattern trustedProxies;

	/** False when no proxy is trusted (the default): no pattern to match per request. */
	private final boolean anyTrusted;

	public ClientAddresses(@Value("${spring.cloud.gateway.server.webflux.trusted-proxies:^$}") String trustedProxies) {
		this.trustedProxies = Pattern.compile(trustedProxies);
		this.anyTrusted = !trustedProxies.isBlank() && !trustedProxies.equals("^$");
	}

	/**
	 * Whether an address is a proxy in front of the gateway whose forwarding headers may
	 * be believed.
	 * @param address an IP address, as text
	 * @return whether it is trusted
	 */
	public boolean isTrustedProxy(String address) {
		return this.anyTrusted && this.trustedProxies.matcher(address).matches();
	}

	/** The client's address, as text. */
	public String of(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		String address = (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress()
				: "unknown";
		if (!isTrustedProxy(address)) {
			return address;
		}
		List<String> forwarded = request.getHeaders()
			.getValuesAsList("X-Forwarded-For")
			.stream()
			.flatMap((value) -> List.of(value.split(",")).stream())
			.map(String::trim)
			.toList();
		for (int i = forwarded.size() - 1; i >= 0; i--) {
			String hop = forwarded.get(i);
			if (!hop.isEmpty() && !isTrustedProxy(hop)) {
				return hop;
			}
		}
		return address;
	}

}
