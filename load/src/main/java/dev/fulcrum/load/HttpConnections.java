package dev.fulcrum.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Keep-alive HTTP/1.1 connections to one server, for a load generator: each exchange
 * blocks its (virtual) thread, writes the request in one go and reads the answer's
 * status, skipping its body. It does a tenth of the work of the JDK's {@code HttpClient}
 * per request (no per-request futures, publishers or header maps): on a machine that also
 * runs the stack it measures, the generator's CPU is taken from the stack
 * (docs/benchmarks.md).
 * <p>
 * Plain HTTP only: a load run goes to a gateway on this machine. Each exchange has the
 * timeout as its deadline (connecting, each wait for bytes, and the whole answer). An
 * idle connection the server has closed is found out on its next use, and a request that
 * can be sent twice without harm ({@link Request#retriable()}) goes once more on a new
 * connection; every other failure is the request's.
 */
public final class HttpConnections implements AutoCloseable {

	private final InetSocketAddress address;

	private final String host;

	private final int timeoutMillis;

	private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

	private final Set<Connection> open = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	/**
	 * Connections to the server of {@code base}.
	 * @param base any URL of the server ({@code http} only)
	 * @param timeout for connecting, and for each read of an answer
	 */
	public HttpConnections(URI base, Duration timeout) {
		if (!"http".equals(base.getScheme())) {
			throw new IllegalArgumentException("plain http only: " + base);
		}
		int port = (base.getPort() == -1) ? 80 : base.getPort();
		this.address = new InetSocketAddress(base.getHost(), port);
		this.host = base.getHost() + ":" + port;
		this.timeoutMillis = (int) timeout.toMillis();
	}

	/**
	 * Sends a request and reads its answer, on an idle connection or a new one.
	 * @param request the request
	 * @return the answer's status
	 * @throws IOException if the exchange failed (the connection is then closed)
	 */
	public int exchange(Request request) throws IOException {
		byte[] bytes = request.encode(this.host);
		boolean head = request.method().equals("HEAD");
		long deadline = System.nanoTime() + this.timeoutMillis * 1_000_000L;
		Connection connection = this.idle.pollFirst();
		if (connection != null) {
			try {
				return exchange(connection, bytes, head, deadline);
			}
			catch (StaleConnectionException ex) {
				// Closed by the server while idle, before a byte of an answer: sent
				// once more on a new connection, if sending it twice is harmless.
				if (!request.retriable()) {
					throw ex;
				}
			}
		}
		return exchange(connect(), bytes, head, deadline);
	}

	/** Connections open now (idle or in use). */
	public int openConnections() {
		return this.open.size();
	}

	private int exchange(Connection connection, byte[] request, boolean head, long deadline) throws IOException {
		boolean done = false;
		try {
			int status = connection.exchange(request, head, deadline);
			done = true;
			if (connection.reusable && !this.closed) {
				this.idle.push(connection);
			}
			else {
				close(connection);
			}
			return status;
		}
		finally {
			if (!done) {
				close(connection);
			}
		}
	}

	private Connection connect() throws IOException {
		if (this.closed) {
			throw new IOException("closed");
		}
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.connect(this.address, this.timeoutMillis);
			socket.setSoTimeout(this.timeoutMillis);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
		Connection connection = new Connection(socket);
		this.open.add(connection);
		return connection;
	}

	private void close(Connection connection) {
		this.open.remove(connection);
		try {
			connection.socket.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

	@Override
	public void close() {
		this.closed = true;
		for (Connection connection : Set.copyOf(this.open)) {
			close(connection);
		}
		this.idle.clear();
	}

	/** No byte of an answer came on a connection that had been idle. */
	private static final class StaleConnectionException extends IOException {

		StaleConnectionException(IOException cause) {
			super("the idle connection was closed", cause);
		}

	}

	private static final class Connection {

		final Socket socket;

		final InputStream in;

		final OutputStream out;

		boolean used;

		boolean reusable;

		/** When the exchange under way must be over, in {@link System#nanoTime()}. */
		long deadline;

		/** Bytes of the answer under way read so far (at least). */
		long read;

		Connection(Socket socket) throws IOException {
			this.socket = socket;
			this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
			this.out = socket.getOutputStream();
		}

		int exchange(byte[] request, boolean head, long deadline) throws IOException {
			boolean reused = this.used;
			this.used = true;
			this.deadline = deadline;
			this.read = 0;
			String statusLine;
			try {
				this.out.write(request);
				this.out.flush();
				statusLine = line();
			}
			catch (SocketTimeoutException ex) {
				// A slow answer, not a closed connection: the request may be under way.
				throw ex;
			}
			catch (IOException ex) {
				// Closed or reset before the first byte of an answer: stale, if it had
				// been idle.
				throw (reused && this.read == 0) ? new StaleConnectionException(ex) : ex;
			}
			int status = status(statusLine);
			// Interim answers (100 Continue, 103 Early Hints) come before the final one.
			while (status / 100 == 1 && status != 101) {
				skipHeaders();
				status = status(statusLine = line());
			}
			long length = -1;
			boolean chunked = false;
			this.reusable = statusLine.startsWith("HTTP/1.1");
			for (String header = line(); !header.isEmpty(); header = line()) {
				int colon = header.indexOf(':');
				if (colon < 0) {
					continue;
				}
				String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
				String value = header.substring(colon + 1).strip();
				switch (name) {
					case "content-length" -> length = Long.parseLong(value);
					case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
					case "connection" -> this.reusable &= !value.equalsIgnoreCase("close");
					default -> {
					}
				}
			}
			if (head || status == 204 || status == 304 || status == 101) {
				this.reusable &= status != 101;
				return status;
			}
			if (chunked) {
				for (long size = chunkSize(); size > 0; size = chunkSize()) {
					skip(size);
					line();
				}
				skipHeaders();
			}
			else if (length >= 0) {
				skip(length);
			}
			else {
				// Delimited by the end of the connection.
				while (read() != -1) {
					// Skipped.
				}
				this.reusable = false;
			}
			return status;
		}

		/** HTTP/1.1 200 OK */
		private static int status(String statusLine) throws IOException {
			if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
				throw new IOException("not an HTTP answer: " + statusLine);
			}
			try {
				return Integer.parseInt(statusLine.substring(9, 12));
			}
			catch (NumberFormatException ex) {
				throw new IOException("not an HTTP answer: " + statusLine);
			}
		}

		/** Header or trailer lines, up to the empty one. */
		private void skipHeaders() throws IOException {
			while (!line().isEmpty()) {
				// Skipped.
			}
		}

		/**
		 * A byte, or -1 at the end of the stream; past the exchange's deadline, a timeout
		 * (the socket's own timeout bounds each wait, this the whole answer).
		 */
		private int read() throws IOException {
			if (System.nanoTime() > this.deadline) {
				throw new SocketTimeoutException("the answer took longer than the timeout");
			}
			int b = this.in.read();
			if (b != -1) {
				this.read++;
			}
			return b;
		}

		private long chunkSize() throws IOException {
			String line = line();
			int extension = line.indexOf(';');
			return Long.parseLong((extension < 0) ? line.strip() : line.substring(0, extension).strip(), 16);
		}

		private void skip(long bytes) throws IOException {
			long left = bytes;
			while (left > 0) {
				if (System.nanoTime() > this.deadline) {
					throw new SocketTimeoutException("the answer took longer than the timeout");
				}
				long skipped = this.in.skip(left);
				if (skipped <= 0) {
					if (read() == -1) {
						throw new EOFException("the answer ended early");
					}
					skipped = 1;
				}
				left -= skipped;
			}
		}

		/** A line without its CRLF; throws at the end of the stream. */
		private String line() throws IOException {
			StringBuilder line = new StringBuilder(64);
			for (int b = read(); b != '\n'; b = read()) {
				if (b == -1) {
					throw new EOFException("the connection was closed");
				}
				if (b != '\r') {
					line.append((char) b);
				}
			}
			return line.toString();
		}

	}

}
