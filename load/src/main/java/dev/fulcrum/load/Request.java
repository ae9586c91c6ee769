package dev.fulcrum.load;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One request of a load run, as {@link HttpConnections} sends it.
 *
 * @param method the method
 * @param uri where to (only its path and query are sent; the connections know the server)
 * @param headers {@code Name: value} lines, without {@code Host} and
 * {@code Content-Length}
 * @param body the body, empty for none
 */
public record Request(String method, URI uri, List<String> headers, byte[] body) {

	public Request {
		headers = List.copyOf(headers);
	}

	/** A {@code GET}. */
	public static Request get(URI uri, String... headers) {
		return new Request("GET", uri, List.of(headers), new byte[0]);
	}

	/** A {@code POST} of JSON. */
	public static Request postJson(URI uri, String json, String... headers) {
		String[] all = new String[headers.length + 1];
		all[0] = "Content-Type: application/json";
		System.arraycopy(headers, 0, all, 1, headers.length);
		return new Request("POST", uri, List.of(all), json.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Whether sending it twice is harmless: a {@code GET} or {@code HEAD}, or a request
	 * with an idempotency key.
	 */
	boolean retriable() {
		return this.method.equals("GET") || this.method.equals("HEAD")
				|| this.headers.stream().anyMatch((header) -> header.regionMatches(true, 0, "Idempotency-Key:", 0, 16));
	}

	/** The request on the wire, for the given {@code Host} header. */
	byte[] encode(String host) {
		StringBuilder head = new StringBuilder(256);
		String target = this.uri.getRawPath().isEmpty() ? "/" : this.uri.getRawPath();
		if (this.uri.getRawQuery() != null) {
			target += "?" + this.uri.getRawQuery();
		}
		head.append(this.method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
		for (String header : this.headers) {
			head.append(header).append("\r\n");
		}
		if (this.body.length > 0 || !this.method.equals("GET")) {
			head.append("Content-Length: ").append(this.body.length).append("\r\n");
		}
		head.append("\r\n");
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(head.length() + this.body.length);
		bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
		bytes.writeBytes(this.body);
		return bytes.toByteArray();
	}

}
