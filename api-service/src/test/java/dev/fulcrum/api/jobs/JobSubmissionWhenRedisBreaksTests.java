package dev.fulcrum.api.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.testsupport.TestTokenIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.fulcrum.api.jobs.JobSubmissionTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis connection that breaks under a submission, as it does when the master stops in
 * a failover (the compose HA test saw it): the api-service reaches the real Redis through
 * a relay that resets the connection (TCP RST) when the submission's script arrives,
 * before Redis sees it. The client gets a 503 problem to retry, not a 500, and its retry
 * with the same key queues the job once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.jobs.high-watermark=100000" })
class JobSubmissionWhenRedisBreaksTests {

	static final TestTokenIssuer issuer = new TestTokenIssuer();

	static final Relay relay = new Relay(TestRedis.start());

	@LocalServerPort
	int port;

	@Autowired
	StringRedisTemplate redis;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.token.jwks-uri", issuer::jwksUri);
		registry.add("spring.data.redis.url", relay::url);
	}

	@AfterAll
	static void stop() {
		issuer.close();
		relay.close();
	}

	@Test
	void aConnectionResetUnderTheScriptIsA503AndTheRetryQueuesTheJobOnce() {
		String alice = issuer.token("alice-" + UUID.randomUUID());
		String key = UUID.randomUUID().toString();
		// Once through, so that the connection is open and the script is known.
		assertThat(submit(alice, UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
		long before = this.redis.opsForStream().size(JobKeys.stream());

		relay.resetOnNext("EVAL");
		HttpResponse<String> broken = submit(alice, key);

		assertThat(relay.resets()).as("the relay reset a connection under the script").isEqualTo(1);
		assertProblem(broken, 503, "unavailable");
		assertThat(broken.headers().firstValue("Retry-After")).hasValue("1");
		HttpResponse<String> retried = submit(alice, key);
		assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
		assertThat(this.redis.opsForStream().size(JobKeys.stream())).as("queued once").isEqualTo(before + 1);
		HttpResponse<String> again = submit(alice, key);
		assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(this.redis.opsForStream().size(JobKeys.stream())).as("still once").isEqualTo(before + 1);
	}

	private HttpResponse<String> submit(String token, String key) {
		return TestHttp.post("http://127.0.0.1:" + this.port + "/api/jobs",
				TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 10))), "Authorization",
				"Bearer " + token, "Idempotency-Key", key);
	}

	/**
	 * A TCP relay on loopback to one Redis that, once armed, resets the client's
	 * connection (SO_LINGER 0, so an RST) instead of forwarding the next chunk holding a
	 * given command.
	 */
	static final class Relay implements AutoCloseable {

		private final TestRedis.Endpoint target;

		private final ServerSocket server;

		private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

		private final AtomicBoolean armed = new AtomicBoolean();

		private final AtomicInteger resets = new AtomicInteger();

		private volatile String command = "";

		Relay(TestRedis.Endpoint target) {
			this.target = target;
			try {
				this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			this.threads.execute(this::accept);
		}

		String url() {
			return "redis://127.0.0.1:" + this.server.getLocalPort();
		}

		void resetOnNext(String command) {
			this.command = command;
			this.armed.set(true);
		}

		int resets() {
			return this.resets.get();
		}

		private void accept() {
			while (!this.server.isClosed()) {
				try {
					Socket client = this.server.accept();
					Socket redis = new Socket(this.target.host(), this.target.port());
					this.threads.execute(() -> pump(client, redis, true));
					this.threads.execute(() -> pump(redis, client, false));
				}
				catch (IOException ex) {
					// Closed: the test is over.
				}
			}
		}

		private void pump(Socket from, Socket to, boolean fromClient) {
			byte[] buffer = new byte[64 * 1024];
			try (from; to) {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					if (fromClient && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(this.command)
							&& this.armed.compareAndSet(true, false)) {
						from.setSoLinger(true, 0);
						this.resets.incrementAndGet();
						return;
					}
					out.write(buffer, 0, n);
					out.flush();
				}
			}
			catch (IOException ex) {
				// One side closed or reset: the try closes both.
			}
		}

		@Override
		public void close() {
			try {
				this.server.close();
			}
			catch (IOException ex) {
				// Closing anyway.
			}
			this.threads.shutdownNow();
		}

	}

}
