package dev.fulcrum.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback for the generator's tests: every request, whatever its
 * path, gets an empty answer with the status {@link Answer} returns, on a virtual thread
 * of its own.
 */
final class LoopbackServer {

	private LoopbackServer() {
	}

	/** What the server does for one request before it answers. */
	@FunctionalInterface
	interface Answer {

		/**
		 * Does the request's work.
		 * @return the status to answer
		 * @throws InterruptedException if stopped meanwhile (answered 500)
		 */
		int status() throws InterruptedException;

	}

	/**
	 * Starts one on a free port.
	 * @param backlog connections the kernel queues before they are accepted
	 * @param answer the work and status of each request
	 * @return the running server; stop it after the test
	 */
	static HttpServer start(int backlog, Answer answer) {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), backlog);
			server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
			server.createContext("/", (exchange) -> {
				int status;
				try {
					status = answer.status();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					status = 500;
				}
				exchange.sendResponseHeaders(status, -1);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The root of a server.
	 * @param server a started server
	 * @return {@code http://127.0.0.1:<port>/}
	 */
	static URI root(HttpServer server) {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
	}

}
