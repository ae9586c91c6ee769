package dev.fulcrum.worker.queue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.worker.WorkerServiceApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While the queue is idle a worker asks Redis for nothing but its blocking read and,
 * every {@code idle-check-interval}, whether a job is outstanding, a retry due or a
 * message stalled: no maintenance every {@code maintenance-interval}, no trim, and no
 * queue gauges unless a scrape asks. Redis's {@code MONITOR} counts every command the
 * worker sends to its database (4, where no other test's worker reads).
 */
class IdleWorkerTests {

	private static final int DATABASE = 4;

	@Test
	void sendsNothingButItsBlockingReadWhileTheQueueIsIdle() throws Exception {
		try (SideRedis side = new SideRedis(DATABASE);
				ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerServiceApplication.class)
					.run("--server.port=0", "--fulcrum.instance-id=idle-" + UUID.randomUUID(),
							"--spring.data.redis.url=" + side.url(), "--fulcrum.worker.read-block=500ms",
							"--fulcrum.worker.maintenance-interval=100ms", "--fulcrum.worker.idle-check-interval=1s")) {
			// Busy first: one job, whose rounds (every 100 ms) end once it is done.
			String first = side.submit("echo", "{}");
			await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(side.field(first, "status")));
			Thread.sleep(1000);

			Map<String, Integer> idle = commands(Duration.ofSeconds(3), () -> {
			});
			// A busy worker would have sent about 30 retry scans here, and trimmed.
			assertThat(idle.keySet()).as("commands while idle: %s", idle)
				.isSubsetOf("XREADGROUP", "GET", "ZRANGEBYSCORE", "XAUTOCLAIM");
			assertThat(idle.get("XREADGROUP")).as("one blocking read each 500 ms").isBetween(4, 8);
			for (String check : new String[] { "GET", "ZRANGEBYSCORE", "XAUTOCLAIM" }) {
				assertThat(idle.getOrDefault(check, 0)).as("%s once a second: %s", check, idle).isBetween(1, 4);
			}

			// A scrape reads the queue's gauges, once for all of them.
			int port = Integer.parseInt(worker.getEnvironment().getRequiredProperty("local.server.port"));
			Map<String, Integer> scraped = commands(Duration.ofMillis(1500), () -> scrape(port));
			assertThat(scraped).as("commands around one scrape: %s", scraped)
				.containsEntry("XLEN", 2)
				.containsEntry("ZCARD", 1)
				.containsEntry("XPENDING", 1)
				.containsEntry("XINFO", 1);

			// A job ends the idle spell.
			String second = side.submit("echo", "{}");
			await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(side.field(second, "status")));
		}
	}

	private static void scrape(int port) {
		try (HttpClient client = HttpClient.newHttpClient()) {
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).contains("fulcrum_jobs_queue_length", "fulcrum_jobs_lag");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The commands sent to {@link #DATABASE} while {@code during} runs and for the rest
	 * of {@code window}, by name, as {@code MONITOR} shows them.
	 */
	private static Map<String, Integer> commands(Duration window, Runnable during) throws IOException {
		Pattern line = Pattern.compile("^\\+[0-9.]+ \\[(\\d+) [^\\]]+\\] \"([A-Za-z]+)\"");
		Map<String, Integer> counts = new TreeMap<>();
		TestRedis.Endpoint redis = TestRedis.start();
		try (Socket socket = new Socket(redis.host(), redis.port())) {
			OutputStream out = socket.getOutputStream();
			out.write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("+OK");
			long end = System.nanoTime() + window.toNanos();
			during.run();
			while (System.nanoTime() - end < 0) {
				socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
				String text;
				try {
					text = in.readLine();
				}
				catch (SocketTimeoutException ex) {
					break;
				}
				if (text == null) {
					break;
				}
				Matcher matcher = line.matcher(text);
				if (matcher.find() && Integer.parseInt(matcher.group(1)) == DATABASE) {
					counts.merge(matcher.group(2).toUpperCase(), 1, Integer::sum);
				}
			}
		}
		return counts;
	}

}
