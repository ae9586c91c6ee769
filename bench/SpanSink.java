import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * A trace server that keeps nothing: accepts Zipkin's POST /api/v2/spans on loopback, reads
 * the body and answers 202, counting what it got. bench/tracing-cost.sh points the services at
 * it, so that what tracing costs the stack is measured without the CPU of a trace server on the
 * same cores. Run: java bench/SpanSink.java PORT
 */
public class SpanSink {

	public static void main(String[] args) throws IOException {
		int port = Integer.parseInt(args[0]);
		AtomicLong posts = new AtomicLong();
		AtomicLong bytes = new AtomicLong();
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
		server.createContext("/api/v2/spans", (exchange) -> {
			try (InputStream body = exchange.getRequestBody()) {
				bytes.addAndGet(body.transferTo(java.io.OutputStream.nullOutputStream()));
			}
			posts.incrementAndGet();
			exchange.sendResponseHeaders(202, -1);
			exchange.close();
		});
		server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> System.out.printf("span sink: %d posts, %d bytes%n", posts.get(),
					bytes.get())));
		server.start();
		System.out.println("span sink on http://127.0.0.1:" + port + "/api/v2/spans");
	}

}
