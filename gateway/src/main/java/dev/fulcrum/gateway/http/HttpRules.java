package dev.fulcrum.gateway.http;

import java.net.URI;

import org.springframework.http.HttpHeaders;

/**
 * Rules of HTTP that more than one filter applies, each written once.
 */
public final class HttpRules {

	private HttpRules() {
	}

	/**
	 * Whether a message carries a body: a positive {@code Content-Length}, or
	 * {@code Transfer-Encoding} (a chunked body of unknown length).
	 * @param headers the message's headers
	 * @return whether it has a body
	 */
	public static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	/**
	 * The port a URI reaches: its own, else its scheme's default (443 for {@code https},
	 * 80 otherwise).
	 * @param uri the URI
	 * @return the port
	 */
	public static int port(URI uri) {
		return (uri.getPort() >= 0) ? uri.getPort() : defaultPort(uri.getScheme());
	}

	/**
	 * The default port of a scheme: 443 for {@code https}, 80 otherwise.
	 * @param scheme the scheme
	 * @return the port
	 */
	public static int defaultPort(String scheme) {
		return "https".equals(scheme) ? 443 : 80;
	}

}
