package dev.fulcrum.launcher;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of the Redis protocol (RESP2) for the supervisor to read the job queue's
 * lag: one connection per call, {@code AUTH} from the URL, one command, its reply as
 * {@code String}, {@code Long}, {@code List} or {@code null}. Bounded by a short timeout,
 * like every check of the launcher. Plain {@code redis://} only.
 */
final class RedisClient {

	private static final int TIMEOUT_MILLIS = 2_000;

	private final URI url;

	RedisClient(URI url) {
		if (!"redis".equals(url.getScheme())) {
			throw new IllegalArgumentException("only redis:// URLs");
		}
		this.url = url;
	}

	/**
	 * Sends one command.
	 * @param words the command and its arguments
	 * @return the reply
	 * @throws IOException when Redis cannot be reached or answers with an error
	 */
	Object call(String... words) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(
					new InetSocketAddress(this.url.getHost(), (this.url.getPort() != -1) ? this.url.getPort() : 6379),
					TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			String userInfo = this.url.getRawUserInfo();
			if (userInfo != null && !userInfo.isEmpty()) {
				int colon = userInfo.indexOf(':');
				String user = (colon < 0) ? "" : decode(userInfo.substring(0, colon));
				String password = decode((colon < 0) ? userInfo : userInfo.substring(colon + 1));
				send(out, user.isEmpty() ? new String[] { "AUTH", password } : new String[] { "AUTH", user, password });
				read(in);
			}
			send(out, words);
			return read(in);
		}
	}

	private static void send(OutputStream out, String... words) throws IOException {
		ByteArrayOutputStream command = new ByteArrayOutputStream();
		command.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (String word : words) {
			byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
			command.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			command.writeBytes(bytes);
			command.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		out.write(command.toByteArray());
		out.flush();
	}

	private static Object read(InputStream in) throws IOException {
		int type = in.read();
		String line = line(in);
		return switch (type) {
			case '+' -> line;
			case '-' -> throw new IOException("Redis: " + line);
			case ':' -> Long.parseLong(line);
			case '$' -> {
				int length = Integer.parseInt(line);
				if (length < 0) {
					yield null;
				}
				byte[] bytes = in.readNBytes(length + 2);
				yield new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				int count = Integer.parseInt(line);
				if (count < 0) {
					yield null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in));
				}
				yield items;
			}
			case -1 -> throw new IOException("Redis closed the connection");
			default -> throw new IOException("not a RESP2 reply: " + (char) type + line);
		};
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != -1 && b != '\r') {
			line.write(b);
		}
		in.read();
		return line.toString(StandardCharsets.UTF_8);
	}

	private static String decode(String part) {
		return URLDecoder.decode(part, StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "redis://" + this.url.getHost() + ":" + this.url.getPort();
	}

}
