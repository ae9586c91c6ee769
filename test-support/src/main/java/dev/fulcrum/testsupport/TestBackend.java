package dev.fulcrum.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP backend on loopback for gateway tests: it names itself in
 * {@code X-Served-By}, answers {@code /health} with 200 or 503, and can be made slow,
 * failing or send extra headers from the test. It counts the requests it receives, by
 * method.
 */
public final class TestBackend implements AutoCloseable {

	private final HttpServer server;

	private final String name;

	private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

	/** Milliseconds to wait before answering. */
	public volatile int delayMillis;

	/** The status of every answer but {@code /health}'s. */
	public volatile int status = 200;

	/** Whether {@code /health} answers 200 (else 503). */
	public volatile boolean healthy = true;

	/**
	 * Headers set on every answer but {@code /health}'s, in place of the backend's own
	 * ({@code Content-Type} included).
	 */
	public final Map<String, String> headers = new ConcurrentHashMap<>();

	private volatile Received last;

	/**
	 * Starts a backend on a free port.
	 * @param name what it answers in {@code X-Served-By}
	 */
	public TestBackend(String name) {
		this.name = name;
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		this.server.createContext("/", (exchange) -> {
			boolean health = exchange.getRequestURI().getPath().equals("/health");
			if (!health) {
				this.received.computeIfAbsent(exchange.getRequestMethod(), (method) -> new AtomicInteger())
					.incrementAndGet();
			}
			try {
				if (this.delayMillis > 0 && !health) {
					Thread.sleep(this.delayMillis);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			byte[] received = exchange.getRequestBody().readAllBytes();
			if (!health) {
				Map<String, List<String>> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
				exchange.getRequestHeaders().forEach((header, values) -> seen.put(header, List.copyOf(values)));
				this.last = new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
						Collections.unmodifiableMap(seen), new String(received, StandardCharsets.UTF_8));
			}
			byte[] body = ("{\"servedBy\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("X-Served-By", name);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			if (!health) {
				this.headers.forEach(exchange.getResponseHeaders()::set);
			}
			int status = health ? (this.healthy ? 200 : 503) : this.status;
			exchange.sendResponseHeaders(status, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		this.server.start();
	}

	/**
	 * The name it answers with.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Its base URL.
	 * @return {@code http://127.0.0.1:port}
	 */
	public String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/**
	 * Requests received with a method, {@code /health} not counted.
	 * @param method the method
	 * @return how many
	 */
	public int received(String method) {
		AtomicInteger count = this.received.get(method);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * A loopback port nobody listens on (free a moment ago): connecting to it is refused.
	 * @return the port
	 */
	public static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The last request received, {@code /health} not counted.
	 * @return the request, or {@code null} before the first
	 */
	public Received last() {
		return this.last;
	}

	/** Back to fast, healthy 200s, with the counts cleared. */
	public void reset() {
		this.delayMillis = 0;
		this.status = 200;
		this.healthy = true;
		this.headers.clear();
		this.received.clear();
		this.last = null;
	}

	/**
	 * A request as the backend saw it.
	 *
	 * @param method its method
	 * @param uri its path and query, as sent
	 * @param headers its headers, names compared without case
	 * @param body its body, as UTF-8 text
	 */
	public record Received(String method, String uri, Map<String, List<String>> headers, String body) {

		/**
		 * All values of a header, joined by {@code ", "}.
		 * @param name the header
		 * @return the values, or {@code null} when it was not sent
		 */
		public String header(String name) {
			List<String> values = this.headers.get(name);
			return (values != null) ? String.join(", ", values) : null;
		}

	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
