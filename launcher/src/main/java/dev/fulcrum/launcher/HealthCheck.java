package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.time.Duration;
import java.time.Instant;

/**
 * How the launcher tells that an instance is ready. Every check is bounded by a short
 * timeout: a process that does not answer is not healthy, and never blocks the launcher.
 */
sealed interface HealthCheck {

	Duration TIMEOUT = Duration.ofSeconds(2);

	/**
	 * Asks the instance once.
	 * @return {@code true} when it answers that it is ready
	 */
	boolean isHealthy();

	/**
	 * Where the check looks, for the user.
	 * @return a URL
	 */
	String target();

	/**
	 * The check whose {@link #target()} this is.
	 * @param target a health URL, a {@code redis://} URL or a {@code file:} path
	 * @return the check
	 */
	static HealthCheck parse(String target) {
		if (target.startsWith("redis")) {
			return RedisPing.of(URI.create(target));
		}
		if (target.startsWith(Heartbeat.PREFIX)) {
			return new Heartbeat(Path.of(target.substring(Heartbeat.PREFIX.length())));
		}
		return new Http(target);
	}

	/**
	 * A process that touches a file every second (the supervisor): alive while the file
	 * is fresh, so a supervisor that hangs shows as down, not only one that died.
	 *
	 * @param file the file it touches
	 */
	record Heartbeat(Path file) implements HealthCheck {

		static final String PREFIX = "file:";

		static final Duration STALE = Duration.ofSeconds(10);

		@Override
		public boolean isHealthy() {
			try {
				Instant touched = Files.getLastModifiedTime(this.file).toInstant();
				return touched.isAfter(Instant.now().minus(STALE));
			}
			catch (IOException ex) {
				return false;
			}
		}

		@Override
		public String target() {
			return PREFIX + this.file;
		}

	}

	/**
	 * A Spring Boot actuator health endpoint: ready when it answers 200 with status UP.
	 *
	 * @param url the health endpoint
	 */
	record Http(String url) implements HealthCheck {

		private static final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

		/** Spring Boot's compact JSON, or Zipkin's indented one. */
		private static final Pattern UP = Pattern.compile("\"status\"\\s*:\\s*\"UP\"");

		@Override
		public boolean isHealthy() {
			HttpRequest request = HttpRequest.newBuilder(URI.create(this.url)).timeout(TIMEOUT).GET().build();
			try {
				HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
				return response.statusCode() == 200 && UP.matcher(response.body()).find();
			}
			catch (IOException ex) {
				return false;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		@Override
		public String target() {
			return this.url;
		}

	}

	/**
	 * A Redis server: ready when it answers {@code PING} with {@code PONG}.
	 *
	 * @param host the host
	 * @param port the port
	 */
	record RedisPing(String host, int port) implements HealthCheck {

		static RedisPing of(URI url) {
			return new RedisPing(url.getHost(), (url.getPort() != -1) ? url.getPort() : 6379);
		}

		@Override
		public boolean isHealthy() {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(this.host, this.port), (int) TIMEOUT.toMillis());
				socket.setSoTimeout((int) TIMEOUT.toMillis());
				OutputStream out = socket.getOutputStream();
				out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				InputStream in = socket.getInputStream();
				byte[] reply = in.readNBytes(7);
				// A server that wants a password answers -NOAUTH: it is up, the services
				// hold the password.
				String answer = new String(reply, StandardCharsets.US_ASCII);
				return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
			}
			catch (IOException ex) {
				return false;
			}
		}

		@Override
		public String target() {
			return "redis://" + this.host + ":" + this.port;
		}

	}

}
