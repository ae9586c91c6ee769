package dev.fulcrum.load;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole-stack benchmark's parts: the closed-model run against a loopback server of
 * known latency, the CPU read from {@code /proc} for the processes a {@code stack.tsv}
 * names, and the report that several stacks append to.
 */
class StackBenchTests {

	final AtomicInteger received = new AtomicInteger();

	final HttpServer server = LoopbackServer.start(64, () -> {
		this.received.incrementAndGet();
		Thread.sleep(50);
		return 200;
	});

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void aClosedRunKeepsEachConnectionBusyAndNoMore() {
		URI root = LoopbackServer.root(this.server);
		Timeline timeline;
		try (HttpConnections connections = new HttpConnections(root, Duration.ofSeconds(5))) {
			timeline = StackBench.closed(connections, (n) -> Request.get(root), 4, Duration.ofSeconds(2));
			assertThat(connections.openConnections()).isEqualTo(4);
		}

		Timeline.Summary summary = timeline.summary(0, timeline.length());
		// Four connections, each answer after 50 ms: about 80 a second, 160 in two.
		assertThat(summary.succeeded()).isBetween(100L, 170L);
		assertThat(summary.failed()).isZero();
		assertThat(summary.p50Millis()).isGreaterThanOrEqualTo(50);
		assertThat(this.received.get()).isEqualTo((int) summary.offered());
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void readsEachTiersCpuFromProcAndLeavesOutATierWhoseProcessesChanged(@TempDir Path home) throws Exception {
		long self = ProcessHandle.current().pid();
		Files.writeString(home.resolve("stack.tsv"), "instance\tservice\tport\turl\thealth\tpid\tstarted\tlog\n"
				+ "gateway-1\tgateway\t1\tu\th\t" + self + "\t0\tl\n" + "redis\tredis\t2\tu\th\t" + self + "\t0\tl\n");
		StackBench.Cpu cpu = new StackBench.Cpu(home);

		Map<String, Long> before = cpu.ticks();
		long spent = 0;
		for (long end = System.nanoTime() + 300_000_000L; System.nanoTime() < end;) {
			spent += Long.toString(spent).hashCode();
		}
		Map<String, Long> after = cpu.ticks();

		assertThat(before).containsKeys("gateway#[" + self + "]", "redis#[" + self + "]", "generator");
		assertThat(after.get("generator") - before.get("generator")).as("300 ms spinning, in 10 ms ticks")
			.isGreaterThanOrEqualTo(20);
		assertThat(spent).isNotZero();
		Files.writeString(home.resolve("stack.tsv"), "instance\tservice\tport\turl\thealth\tpid\tstarted\tlog\n"
				+ "gateway-2\tgateway\t1\tu\th\t" + ProcessHandle.current().parent().orElseThrow().pid() + "\t0\tl\n");
		assertThat(cpu.ticks()).doesNotContainKey("gateway#[" + self + "]").doesNotContainKey("redis#[" + self + "]");
	}

	@Test
	void severalStacksAppendToOneReport(@TempDir Path folder) throws IOException {
		Path report = folder.resolve("stack-1.md");
		Files.writeString(report, "# bench/stack.sh\n\nStacks: ...\n\n");
		Timeline.Summary summary = new Timeline.Summary(10, 12_000, 11_990, Map.of(503, 10), 4.2, 31.5, 80.0);
		StackBench.Row a = new StackBench.Row("defaults (up 30.1 s)", "1200/s", summary,
				Map.of("gateway", 0.5, "api-service", 0.7, "redis", 0.2, "generator", 0.1));
		StackBench.Row b = new StackBench.Row("AOT cache", "saturation, 64 connections", summary, Map.of());

		StackBench.append(report, List.of(a));
		StackBench.append(report, List.of(b));

		List<String> markdown = Files.readAllLines(report).subList(4, 8);
		assertThat(Files.readAllLines(report)).hasSize(8).startsWith("# bench/stack.sh");
		assertThat(markdown.get(0)).startsWith("| stack | load | offered/s | succeeded/s");
		assertThat(markdown.get(2)).isEqualTo("| defaults (up 30.1 s) | 1200/s | 1200 | 1199 | 1199 | 4.2 | 31.5 | 80.0"
				+ " | 10 x 503 | 0.50 |  | 0.70 |  | 0.20 | **1.40** | 0.10 |");
		assertThat(markdown.get(3)).startsWith("| AOT cache | saturation, 64 connections | 1200 | 1199 |");
		List<String> csv = Files.readAllLines(folder.resolve("stack-1.csv"));
		assertThat(csv).hasSize(3);
		assertThat(csv.get(0)).startsWith("stack,load,seconds,offered,succeeded_per_s");
		assertThat(csv.get(1))
			.startsWith("defaults (up 30.1 s),1200/s,10,12000,1199,1199,4.20,31.50,80.00,10 x 503,0.500,");
	}

}
