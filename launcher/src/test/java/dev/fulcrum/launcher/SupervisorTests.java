package dev.fulcrum.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.launcher.StackState.Running;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor with real processes: a {@code sleep} that the test kills, restarted
 * after a back-off that doubles while it keeps dying; and the queue's lag read from a
 * real Redis. The supervisor's clock is the test's: {@code tick} is called with chosen
 * times.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SupervisorTests {

	@TempDir
	Path home;

	final ByteArrayOutputStream log = new ByteArrayOutputStream();

	final List<Running> started = new ArrayList<>();

	@AfterEach
	void stopWhatWasStarted() {
		List<Running> table = Files.exists(this.home.resolve(StackState.FILE)) ? StackState.read(this.home) : List.of();
		List<Running> ours = new ArrayList<>(this.started);
		table.stream().filter((r) -> !r.service().equals(Supervisor.SERVICE)).forEach(ours::add);
		Stack.stop(ours);
	}

	@Test
	void restartsAGoneInstanceAfterABackOffThatDoublesWhileItKeepsDying() throws Exception {
		Instance sleeper = new Instance("sleeper-1", "sleeper", 0, "-",
				new HealthCheck.Heartbeat(this.home.resolve("never")), List.of("sleep", "600"), Map.of(),
				this.home.resolve("logs/sleeper-1.log"));
		Supervisor supervisor = supervise(sleeper);
		Instant t0 = Instant.now();
		supervisor.tick(t0);
		long first = pidOf("sleeper-1");

		kill(first);
		supervisor.tick(t0.plusSeconds(10));
		assertThat(pidOf("sleeper-1")).as("not before its back-off").isEqualTo(first);
		supervisor.tick(t0.plusSeconds(11));
		long second = pidOf("sleeper-1");
		assertThat(second).as("restarted after 1 s").isNotEqualTo(first);
		assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive)).hasValue(true);

		kill(second);
		supervisor.tick(t0.plusSeconds(12));
		supervisor.tick(t0.plusSeconds(13));
		assertThat(pidOf("sleeper-1")).as("the second time, not after 1 s").isEqualTo(second);
		supervisor.tick(t0.plusSeconds(14));
		assertThat(pidOf("sleeper-1")).as("but after 2 s").isNotEqualTo(second);

		assertThat(this.log.toString(StandardCharsets.UTF_8))
			.contains("sleeper-1 (pid " + first + ") is gone; restarting it in 1s")
			.contains("sleeper-1 (pid " + second + ") is gone; restarting it in 2s (restart 2)")
			.contains("restarted sleeper-1 as pid");
	}

	@Test
	void scalesInWhatIsNotReadyFirstThenTheNewestAndNeverTheLastReadyReplica() {
		Running one = running("api-service-1");
		Running two = running("api-service-2");
		Running three = running("api-service-3");
		Running four = running("api-service-4");
		List<Running> members = List.of(one, two, three, four);
		assertThat(Supervisor.victims(members, java.util.Set.of(), 2)).as("the newest").containsExactly(four, three);
		assertThat(Supervisor.victims(members, java.util.Set.of("api-service-2"), 2)).as("the one still starting first")
			.containsExactly(two, four);
		assertThat(Supervisor.victims(List.of(one, two), java.util.Set.of("api-service-2"), 1))
			.as("2 -> 1 while the new one starts: the ready one stays")
			.containsExactly(two);
		assertThat(Supervisor.victims(List.of(one, two, three), java.util.Set.of("api-service-2", "api-service-3"), 3))
			.as("never the last ready one")
			.containsExactly(three, two);
	}

	@Test
	void backsOffFromOneSecondToAMinute() {
		assertThat(List.of(0, 1, 2, 3, 4, 5, 6, 7, 50).stream().map(Supervisor::backOff).map(Duration::toSeconds))
			.containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
	}

	@Test
	void readsTheQueueLagOfTheWorkersGroupFromRealRedis() throws Exception {
		int port = freePort();
		Process redis = new ProcessBuilder(RedisBinary.install(this.home).toString(), "--port", String.valueOf(port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", "s3cret")
			.redirectErrorStream(true)
			.redirectOutput(this.home.resolve("redis.log").toFile())
			.start();
		try {
			HealthCheck ping = new HealthCheck.RedisPing("127.0.0.1", port);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (!ping.isHealthy() && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			RedisClient client = new RedisClient(URI.create("redis://:s3cret@127.0.0.1:" + port));
			assertThat(Supervisor.queueLag(client)).as("no job ever: no stream").isZero();
			client.call("XGROUP", "CREATE", Supervisor.STREAM, Supervisor.GROUP, "0", "MKSTREAM");
			for (int i = 0; i < 5; i++) {
				client.call("XADD", Supervisor.STREAM, "*", "id", "job-" + i);
			}
			assertThat(Supervisor.queueLag(client)).isEqualTo(5);
			client.call("XREADGROUP", "GROUP", Supervisor.GROUP, "worker-1", "COUNT", "2", "STREAMS", Supervisor.STREAM,
					">");
			assertThat(Supervisor.queueLag(client)).as("two handed to a worker are not lag").isEqualTo(3);
			RedisClient wrongPassword = new RedisClient(URI.create("redis://:wrong@127.0.0.1:" + port));
			org.assertj.core.api.Assertions.assertThatIOException()
				.isThrownBy(() -> Supervisor.queueLag(wrongPassword))
				.withMessageContaining("WRONGPASS");
		}
		finally {
			redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	/** Starts the instance as up would, records the test JVM as its supervisor. */
	private Supervisor supervise(Instance instance) {
		Process process = Stack.spawn(this.home, instance, false);
		Running running = Running.of(instance, process.toHandle());
		this.started.add(running);
		ProcessHandle self = ProcessHandle.current();
		Running supervisorLine = new Running(Supervisor.SERVICE, Supervisor.SERVICE, 0, "-",
				new HealthCheck.Heartbeat(this.home.resolve(Supervisor.HEARTBEAT)), self.pid(),
				self.info().startInstant().map(Instant::toEpochMilli).orElse(0L), this.home.resolve("logs/x.log"));
		StackState.write(this.home, List.of(running, supervisorLine));
		Supervisor supervisor = new Supervisor(this.home,
				new PlanFile.Plan(List.of(instance), Autoscaling.off(), null, "http://127.0.0.1:1"),
				new PrintStream(this.log, true, StandardCharsets.UTF_8));
		supervisor.awaitOwnLine();
		return supervisor;
	}

	private Running running(String name) {
		return new Running(name, "api-service", 0, "-", new HealthCheck.Heartbeat(this.home.resolve(name)), 1, 0,
				this.home.resolve(name + ".log"));
	}

	private long pidOf(String name) {
		return StackState.read(this.home).stream().filter((r) -> r.name().equals(name)).findFirst().orElseThrow().pid();
	}

	private static void kill(long pid) throws Exception {
		ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
		process.destroyForcibly();
		process.onExit().get(10, TimeUnit.SECONDS);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
