package dev.fulcrum.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Docker Engine's HTTP API on its Unix socket, the way Compose itself talks to the
 * engine: one request per connection ({@code Connection: close}), each bounded in time.
 * Only what the compose autoscaler needs: list, inspect, measure, create, start, stop and
 * remove containers, and run a command in one.
 */
final class DockerApi {

	static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Path socket;

	private final Duration timeout;

	DockerApi(Path socket, Duration timeout) {
		this.socket = socket;
		this.timeout = timeout;
	}

	/**
	 * The engine of {@code DOCKER_HOST} when it is a {@code unix://} socket, the default
	 * socket when it is not set.
	 * @param environment the process's environment
	 * @return the API
	 */
	static DockerApi of(Map<String, String> environment) {
		String host = environment.getOrDefault("DOCKER_HOST", "");
		if (!host.isEmpty() && !host.startsWith("unix://")) {
			throw LauncherException.usage("DOCKER_HOST=" + host + ": only an engine on a Unix socket (unix://...) is"
					+ " supported; for a docker context, set DOCKER_HOST to its socket (docker context inspect)");
		}
		Path socket = host.isEmpty() ? DEFAULT_SOCKET : Path.of(host.substring("unix://".length()));
		return new DockerApi(socket, Duration.ofSeconds(60));
	}

	/**
	 * The containers with every one of these labels.
	 * @param all stopped ones too
	 * @param labels {@code key=value}
	 * @return their summaries ({@code Id}, {@code Names}, {@code Labels}, {@code State})
	 */
	List<JsonNode> containers(boolean all, String... labels) throws IOException {
		String filters = JSON.writeValueAsString(Map.of("label", List.of(labels)));
		JsonNode list = call("GET",
				"/containers/json?all=" + all + "&filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8), null);
		return list.valueStream().toList();
	}

	JsonNode inspect(String id) throws IOException {
		return call("GET", "/containers/" + id + "/json", null);
	}

	/**
	 * The CPU time a container has used since it started.
	 * @param id the container
	 * @return nanoseconds ({@code cpu_stats.cpu_usage.total_usage})
	 */
	long cpuNanos(String id) throws IOException {
		return call("GET", "/containers/" + id + "/stats?stream=false&one-shot=true", null)
			.at("/cpu_stats/cpu_usage/total_usage")
			.asLong();
	}

	/**
	 * Creates a container.
	 * @param name its name
	 * @param body its configuration, as the API takes it
	 * @return its id
	 */
	String create(String name, JsonNode body) throws IOException {
		return call("POST", "/containers/create?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8), body)
			.get("Id")
			.asString();
	}

	void start(String id) throws IOException {
		call("POST", "/containers/" + id + "/start", null);
	}

	/**
	 * Stops a container as {@code docker stop} does: SIGTERM, SIGKILL after the grace.
	 * @param id the container
	 * @param grace how long it has to stop by itself
	 */
	void stop(String id, Duration grace) throws IOException {
		call("POST", "/containers/" + id + "/stop?t=" + grace.toSeconds(), null);
	}

	void remove(String id) throws IOException {
		call("DELETE", "/containers/" + id, null);
	}

	/**
	 * Runs a command in a container and returns what it printed on its standard output.
	 * @param id the container
	 * @param command the command
	 * @return its output
	 */
	String exec(String id, List<String> command) throws IOException {
		String exec = call("POST", "/containers/" + id + "/exec",
				JSON.valueToTree(Map.of("Cmd", command, "AttachStdout", true, "AttachStderr", true)))
			.get("Id")
			.asString();
		byte[] stream = request("POST", "/exec/" + exec + "/start",
				JSON.writeValueAsBytes(Map.of("Detach", false, "Tty", false)))
			.body();
		int exitCode = call("GET", "/exec/" + exec + "/json", null).path("ExitCode").asInt(-1);
		if (exitCode != 0) {
			throw new IOException(
					String.join(" ", command) + " exited with " + exitCode + ": " + output(stream, 2).strip());
		}
		return output(stream, 1);
	}

	/**
	 * Standard output from an attached stream without a terminal: frames of one byte for
	 * the stream (1 stdout, 2 stderr), three zero bytes, a 4-byte length, the bytes.
	 */
	static String stdout(byte[] stream) {
		return output(stream, 1);
	}

	private static String output(byte[] stream, int wanted) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteBuffer frames = ByteBuffer.wrap(stream);
		while (frames.remaining() >= 8) {
			int kind = frames.get();
			frames.position(frames.position() + 3);
			int length = frames.getInt();
			int take = Math.min(length, frames.remaining());
			if (kind == wanted) {
				out.write(stream, frames.position(), take);
			}
			frames.position(frames.position() + take);
		}
		return out.toString(StandardCharsets.UTF_8);
	}

	private JsonNode call(String method, String path, JsonNode body) throws IOException {
		Response response = request(method, path, (body != null) ? JSON.writeValueAsBytes(body) : null);
		String text = new String(response.body(), StandardCharsets.UTF_8);
		return text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
	}

	private Response request(String method, String path, byte[] body) throws IOException {
		Response response = exchange(method, path, body);
		// 304: already started, or already stopped; what was asked holds.
		if (response.status() >= 300 && response.status() != 304) {
			throw new IOException(method + " " + path + " answered " + response.status() + ": "
					+ new String(response.body(), StandardCharsets.UTF_8).strip());
		}
		return response;
	}

	/**
	 * One request on a connection of its own, closed when the answer is read or at the
	 * timeout, whichever comes first: an engine that does not answer blocks nothing.
	 */
	private Response exchange(String method, String path, byte[] body) throws IOException {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(this.socket));
			CompletableFuture<Void> timeout = CompletableFuture.runAsync(() -> {
				try {
					channel.close();
				}
				catch (IOException ex) {
					// Closed already.
				}
			}, CompletableFuture.delayedExecutor(this.timeout.toMillis(), TimeUnit.MILLISECONDS));
			try {
				StringBuilder head = new StringBuilder();
				head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
				head.append("Host: docker\r\nConnection: close\r\n");
				if (body != null) {
					head.append("Content-Type: application/json\r\n");
				}
				head.append("Content-Length: ").append((body != null) ? body.length : 0).append("\r\n\r\n");
				channel.write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII)));
				if (body != null) {
					channel.write(ByteBuffer.wrap(body));
				}
				return Response.parse(Channels.newInputStream(channel).readAllBytes());
			}
			catch (IOException ex) {
				if (timeout.isDone()) {
					throw new IOException(method + " " + path + " took longer than " + this.timeout, ex);
				}
				throw ex;
			}
			finally {
				timeout.cancel(false);
			}
		}
	}

	/** An answer: its status and its body, de-chunked. */
	record Response(int status, byte[] body) {

		static Response parse(byte[] raw) throws IOException {
			int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
			if (end < 0) {
				throw new IOException("no complete HTTP answer from the engine");
			}
			String[] head = new String(raw, 0, end, StandardCharsets.US_ASCII).split("\r\n");
			int status = Integer.parseInt(head[0].split(" ")[1]);
			boolean chunked = false;
			for (String header : head) {
				String lower = header.toLowerCase(Locale.ROOT);
				chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
			}
			int start = end + 4;
			if (!chunked) {
				return new Response(status, Arrays.copyOfRange(raw, start, raw.length));
			}
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			int at = start;
			while (at < raw.length) {
				int lineEnd = indexOf(raw, "\r\n".getBytes(StandardCharsets.US_ASCII), at);
				if (lineEnd < 0) {
					break;
				}
				String size = new String(raw, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].strip();
				int length = Integer.parseInt(size, 16);
				if (length == 0) {
					break;
				}
				body.write(raw, lineEnd + 2, Math.min(length, raw.length - lineEnd - 2));
				at = lineEnd + 2 + length + 2;
			}
			return new Response(status, body.toByteArray());
		}

		private static int indexOf(byte[] data, byte[] pattern, int from) {
			outer: for (int i = from; i <= data.length - pattern.length; i++) {
				for (int j = 0; j < pattern.length; j++) {
					if (data[i + j] != pattern[j]) {
						continue outer;
					}
				}
				return i;
			}
			return -1;
		}

	}

}
