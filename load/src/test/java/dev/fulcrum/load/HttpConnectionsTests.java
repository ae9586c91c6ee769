package dev.fulcrum.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The load generator's connections against real servers on loopback: the JDK's HTTP
 * server (fixed-length and chunked answers, request bodies) and a raw socket server for
 * what a well-behaved server rarely does (closing an idle connection, an answer delimited
 * by the end of the connection, an answer that never comes).
 */
class HttpConnectionsTests {

	final List<AutoCloseable> opened = new ArrayList<>();

	final AtomicInteger connections = new AtomicInteger();

	/** Connections the raw server has closed. */
	final AtomicInteger closed = new AtomicInteger();

	final List<String> bodies = new CopyOnWriteArrayList<>();

	final Set<InetSocketAddress> remotes = ConcurrentHashMap.newKeySet();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable closeable : this.opened) {
			closeable.close();
		}
	}

	@Test
	void readsFixedLengthAndChunkedAnswersOnOneKeptAliveConnection() throws Exception {
		URI base = jdkServer();
		HttpConnections client = connections(base);

		assertThat(client.exchange(Request.get(base.resolve("/fixed")))).isEqualTo(200);
		assertThat(client.exchange(Request.get(base.resolve("/chunked")))).isEqualTo(201);
		assertThat(client.exchange(Request.postJson(base.resolve("/echo"), "{\"n\":1}", "X-Test: yes"))).isEqualTo(202);
		assertThat(client.exchange(Request.get(base.resolve("/empty?x=1")))).isEqualTo(204);
		assertThat(client.exchange(Request.get(base.resolve("/fixed")))).isEqualTo(200);

		assertThat(this.remotes).as("one connection for all five").hasSize(1);
		assertThat(client.openConnections()).isEqualTo(1);
		assertThat(this.bodies).containsExactly("{\"n\":1} yes");
	}

	@Test
	void opensAsManyConnectionsAsRequestsUnderWay() throws Exception {
		URI base = jdkServer();
		HttpConnections client = connections(base);
		List<Thread> threads = new ArrayList<>();
		AtomicInteger succeeded = new AtomicInteger();
		for (int i = 0; i < 8; i++) {
			threads.add(Thread.ofVirtual().start(() -> {
				try {
					if (client.exchange(Request.get(base.resolve("/slow"))) == 200) {
						succeeded.incrementAndGet();
					}
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}

		assertThat(succeeded).hasValue(8);
		assertThat(client.openConnections()).isEqualTo(8);
	}

	@Test
	void replacesAnIdleConnectionTheServerClosedAndReadsToTheEndWithoutALength() throws Exception {
		// Answers each connection's first request, then closes it: the second request on
		// it finds it closed, and goes once more on a new one.
		URI base = rawServer((in, out) -> {
			readHead(in);
			out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
			out.flush();
		});
		HttpConnections client = connections(base);

		assertThat(client.exchange(Request.get(base))).isEqualTo(200);
		awaitClosed(1);
		assertThat(client.exchange(Request.get(base))).isEqualTo(200);
		assertThat(this.connections.get()).isEqualTo(2);

		URI untilEnd = rawServer((in, out) -> {
			readHead(in);
			out.write("HTTP/1.0 500 Oops\r\n\r\nno length".getBytes(StandardCharsets.US_ASCII));
		});
		HttpConnections other = connections(untilEnd);
		assertThat(other.exchange(Request.get(untilEnd))).isEqualTo(500);
		assertThat(other.openConnections()).as("not kept: its end delimited the answer").isZero();
	}

	@Test
	void skipsInterimAnswersAndReadsNoBodyForAHead() throws Exception {
		// Two requests per connection: an Early Hints answer before the first's final
		// one, and a HEAD answer whose length describes a body it does not send.
		URI base = rawServer((in, out) -> {
			readHead(in);
			out.write(("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
					+ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			readHead(in);
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			readHead(in);
			out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		});
		HttpConnections client = connections(base);

		assertThat(client.exchange(Request.get(base))).isEqualTo(200);
		assertThat(client.exchange(new Request("HEAD", base, List.of(), new byte[0]))).isEqualTo(200);
		assertThat(client.exchange(Request.get(base))).isEqualTo(404);
		assertThat(this.connections.get()).isEqualTo(1);
	}

	@Test
	void aPostWithoutAnIdempotencyKeyIsNotSentAgainOnANewConnection() throws Exception {
		URI base = rawServer((in, out) -> {
			readHead(in);
			out.write(("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
		});
		HttpConnections client = connections(base);
		assertThat(client.exchange(Request.postJson(base, "{}"))).isEqualTo(201);
		awaitClosed(1);

		assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.exchange(Request.postJson(base, "{}")));
		assertThat(client.exchange(Request.postJson(base, "{}"))).as("on a new connection").isEqualTo(201);
		awaitClosed(2);
		assertThat(client.exchange(Request.postJson(base, "{}", "Idempotency-Key: k-1"))).as("sent again")
			.isEqualTo(201);
		assertThat(this.connections.get()).isEqualTo(3);
	}

	@Test
	void anAnswerThatNeverComesFailsAfterTheTimeoutAndIsNotSentAgain() throws Exception {
		URI base = rawServer((in, out) -> {
			readHead(in);
			// A trickle: each byte within the socket's timeout, the whole past it.
			for (byte b : "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII)) {
				out.write(b);
				out.flush();
				Thread.sleep(100);
			}
		});
		HttpConnections client = new HttpConnections(base, Duration.ofMillis(300));
		this.opened.add(client);

		assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.exchange(Request.get(base)));
		assertThat(this.connections.get()).isEqualTo(1);
		assertThat(client.openConnections()).isZero();
	}

	private HttpConnections connections(URI base) {
		HttpConnections client = new HttpConnections(base, Duration.ofSeconds(5));
		this.opened.add(client);
		return client;
	}

	private URI jdkServer() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		server.createContext("/", (exchange) -> {
			// One remote port per connection.
			this.remotes.add(exchange.getRemoteAddress());
			String path = exchange.getRequestURI().getPath();
			byte[] answer = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
			switch (path) {
				case "/fixed" -> {
					exchange.sendResponseHeaders(200, answer.length);
					exchange.getResponseBody().write(answer);
				}
				case "/chunked" -> {
					exchange.sendResponseHeaders(201, 0);
					for (int i = 0; i < 3; i++) {
						exchange.getResponseBody().write(answer);
						exchange.getResponseBody().flush();
					}
				}
				case "/echo" -> {
					this.bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) + " "
							+ exchange.getRequestHeaders().getFirst("X-Test"));
					exchange.sendResponseHeaders(202, -1);
				}
				case "/slow" -> {
					sleep(300);
					exchange.sendResponseHeaders(200, -1);
				}
				default -> exchange.sendResponseHeaders(204, -1);
			}
			exchange.close();
		});
		server.start();
		this.opened.add(() -> server.stop(0));
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
	}

	/** A server that runs {@code conversation} once per connection, then closes it. */
	private URI rawServer(Conversation conversation) throws IOException {
		ServerSocket listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
		this.opened.add(listener);
		Thread.ofVirtual().start(() -> {
			while (!listener.isClosed()) {
				try {
					Socket socket = listener.accept();
					this.connections.incrementAndGet();
					Thread.ofVirtual().start(() -> {
						try (socket) {
							conversation.talk(socket.getInputStream(), socket.getOutputStream());
						}
						catch (Exception ex) {
							// The client went away.
						}
						finally {
							this.closed.incrementAndGet();
						}
					});
				}
				catch (IOException ex) {
					return;
				}
			}
		});
		return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
	}

	/**
	 * Waits until the raw server has closed {@code count} connections, so that the
	 * client's next request on a kept one finds it closed.
	 */
	private void awaitClosed(int count) throws InterruptedException {
		long deadline = System.nanoTime() + 5_000_000_000L;
		while (this.closed.get() < count) {
			assertThat(System.nanoTime()).as("%d connections closed in 5 s", count).isLessThan(deadline);
			Thread.sleep(5);
		}
	}

	private static void readHead(InputStream in) throws IOException {
		int matched = 0;
		byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		while (matched < end.length) {
			int b = in.read();
			if (b == -1) {
				throw new IOException("closed");
			}
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@FunctionalInterface
	interface Conversation {

		void talk(InputStream in, OutputStream out) throws Exception;

	}

}
