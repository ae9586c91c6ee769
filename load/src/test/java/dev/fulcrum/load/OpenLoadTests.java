package dev.fulcrum.load;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator against a real HTTP server on loopback: it sends at the schedule's rate
 * however slow the answers are (open model), counts failures by status, measures latency
 * from when a request was due, and draws its chart.
 */
class OpenLoadTests {

	final AtomicInteger received = new AtomicInteger();

	volatile int delayMillis;

	volatile int status = 200;

	final HttpServer server = LoopbackServer.start(512, () -> {
		this.received.incrementAndGet();
		Thread.sleep(this.delayMillis);
		return this.status;
	});

	final List<HttpConnections> opened = new ArrayList<>();

	@AfterEach
	void stop() {
		this.opened.forEach(HttpConnections::close);
		this.server.stop(0);
	}

	@Test
	void sendsAtTheScheduledRateWhateverTheAnswersTake() {
		this.delayMillis = 300;
		Schedule schedule = new Schedule(List.of(new Schedule.Phase("low", Duration.ofSeconds(1), 20),
				new Schedule.Phase("high", Duration.ofSeconds(1), 100)));

		Timeline timeline = OpenLoad.run(connections(), schedule, (n) -> get(), 1000, null);

		assertThat(timeline.length()).isEqualTo(2);
		assertThat(timeline.row(0).offered()).as("the first second, at 20/s").isBetween(19, 21);
		assertThat(timeline.row(1).offered()).as("the second, at 100/s, though each answer takes 300 ms")
			.isBetween(99, 101);
		assertThat(this.received.get()).isEqualTo(timeline.row(0).offered() + timeline.row(1).offered());
		assertThat(timeline.summary(0, 2).p50Millis()).isGreaterThanOrEqualTo(300);
		assertThat(timeline.summary(0, 2).failed()).isZero();
	}

	@Test
	void countsFailuresByStatusAndWhatItCouldNotSend() {
		this.status = 503;
		this.delayMillis = 500;
		Schedule schedule = new Schedule(List.of(new Schedule.Phase("one", Duration.ofSeconds(1), 50)));

		Timeline timeline = OpenLoad.run(connections(), schedule, (n) -> get(), 10, null);

		Timeline.Summary summary = timeline.summary(0, 1);
		int sent = summary.failures().get(503);
		assertThat(sent).as("at most 10 under way, each for 500 ms, over one second").isBetween(10, 20);
		assertThat(summary.failures().get(OpenLoad.NOT_SENT)).as("the rest, not sent").isEqualTo(50 - sent);
		assertThat(summary.succeeded()).isZero();
	}

	@Test
	void drawsItsChartAndWritesItsSeconds(@TempDir Path folder) throws Exception {
		Schedule schedule = new Schedule(List.of(new Schedule.Phase("one", Duration.ofSeconds(2), 20)));
		Timeline timeline = OpenLoad.run(connections(), schedule, (n) -> get(), 100,
				(second, t) -> t.observe(second, 2, 1, 7));

		TimelineChart.write(timeline, "test", new double[] { 0, 1 }, 100, folder.resolve("chart.png"));
		timeline.writeCsv(folder.resolve("run.csv"));

		byte[] png = Files.readAllBytes(folder.resolve("chart.png"));
		assertThat(png).hasSizeGreaterThan(10_000);
		assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
		List<String> csv = Files.readAllLines(folder.resolve("run.csv"));
		assertThat(csv).hasSize(3);
		assertThat(csv.get(1)).startsWith("0,20,20,0,").endsWith(",2,1,7");
	}

	private Request get() {
		return Request.get(root());
	}

	private URI root() {
		return LoopbackServer.root(this.server);
	}

	private HttpConnections connections() {
		HttpConnections connections = new HttpConnections(root(), Duration.ofSeconds(5));
		this.opened.add(connections);
		return connections;
	}

}
