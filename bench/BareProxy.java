import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The ceiling for a JVM proxy on this machine: Reactor Netty's HTTP server and client, the same
 * libraries the gateway runs on, with nothing else. Round-robin over two upstreams, request and
 * response headers passed as they are, no Spring, no filters, no logging, no metrics. Not a
 * gateway: bench/gateway-vs-nginx.sh measures it beside nginx and the gateway, to show how much of
 * the gap to nginx is the JVM and Netty, and how much the layers above them.
 * <p>
 * Run with the gateway jar's libraries: {@code java -cp 'libs/*' bench/BareProxy.java PORT URL URL}.
 */
public class BareProxy {

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		String[] upstreams = { args[1], args[2] };
		HttpClient client = HttpClient.create(ConnectionProvider.builder("bare").maxConnections(512).build());
		AtomicInteger turn = new AtomicInteger();
		HttpServer.create().host("127.0.0.1").port(port).handle((req, res) -> {
			String upstream = upstreams[Math.floorMod(turn.getAndIncrement(), 2)];
			return client.headers((h) -> h.set(req.requestHeaders()).remove(HttpHeaderNames.HOST))
				.get()
				.uri(upstream + req.uri())
				.response((cres, body) -> res.status(cres.status()).headers(cres.responseHeaders()).send(body.retain()))
				.then();
		}).bindNow().onDispose().block();
	}
}
