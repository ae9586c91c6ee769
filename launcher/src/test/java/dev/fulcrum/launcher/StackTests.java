package dev.fulcrum.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.launcher.StackState.Running;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The launcher's process handling, with real processes: a real Redis, and shell commands
 * that fail or hang on purpose.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StackTests {

	@TempDir
	Path home;

	final ByteArrayOutputStream out = new ByteArrayOutputStream();

	final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@Test
	void keepsTheShellFromChoosingPortsOrRedis() {
		Map<String, String> environment = new HashMap<>(Map.of("SERVER_PORT", "1", "MANAGEMENT_PORT", "2",
				"SPRING_DATA_REDIS_URL", "redis://elsewhere", "JDK_AOT_VM_OPTIONS", "-Xmx8g", "PATH", "/bin",
				"JAVA_HOME", "/jdk", "MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "0.1"));
		Stack.withoutShellOverrides(environment);
		assertThat(environment).as("tracing is the user's to set")
			.containsOnlyKeys("PATH", "JAVA_HOME", "MANAGEMENT_TRACING_SAMPLING_PROBABILITY");
	}

	@Test
	void startsAndStopsARealRedis() throws IOException {
		int port = freePort();
		Instance redis = new Instance("redis", StackPlan.REDIS, port, "redis://127.0.0.1:" + port,
				new HealthCheck.RedisPing("127.0.0.1", port),
				List.of(RedisBinary.install(this.home).toString(), "--port", String.valueOf(port), "--bind",
						"127.0.0.1", "--save", "", "--appendonly", "no"),
				Map.of(), this.home.resolve("logs/redis.log"));
		List<Running> running = stack().up(List.of(redis), Duration.ofSeconds(30));

		assertThat(redis.health().isHealthy()).isTrue();
		assertThat(StackState.read(this.home)).extracting(Running::pid).containsExactly(running.getFirst().pid());

		assertThat(Stack.stop(StackState.read(this.home))).hasSize(1);
		assertThat(ProcessHandle.of(running.getFirst().pid())).isEmpty();
		assertThat(redis.health().isHealthy()).isFalse();
	}

	@Test
	void stopsTheRestWhenAnInstanceDiesDuringStartUp() {
		Instance waiting = shell("slow-1", "sleep 300");
		Instance failing = shell("broken-1", "echo 'boom: cannot start' >&2; exit 3");

		assertThatExceptionOfType(LauncherException.class)
			.isThrownBy(() -> stack().up(List.of(waiting, failing), Duration.ofSeconds(60)))
			.withMessageStartingWith("broken-1 exited during start-up (exit code 3); its log: ")
			.withMessageContaining("broken-1.log")
			.withMessageEndingWith("stopped the 1 process(es) it had started");

		assertThat(this.err.toString(StandardCharsets.UTF_8)).contains("| boom: cannot start");
		assertThat(processesMarkedWith(this.home)).isEmpty();
		assertThat(this.home.resolve(StackState.FILE)).doesNotExist();
	}

	@Test
	void stopsEverythingWhenAnInstanceIsNeverHealthy() {
		Instance hanging = shell("hanging-1", "sleep 300");

		assertThatExceptionOfType(LauncherException.class)
			.isThrownBy(() -> stack().up(List.of(hanging), Duration.ofSeconds(2)))
			.withMessageStartingWith("hanging-1 did not become healthy within 2s");

		assertThat(processesMarkedWith(this.home)).isEmpty();
	}

	@Test
	void leavesAProcessAloneWhosePidWasReused() throws Exception {
		Process stranger = new ProcessBuilder("sleep", "300").start();
		try {
			Running stale = new Running("api-service-1", "api-service", 1, "http://localhost:1",
					new HealthCheck.Http("http://127.0.0.1:1/"), stranger.pid(), 12345L,
					this.home.resolve("logs/x.log"));
			assertThat(Stack.stop(List.of(stale))).isEmpty();
			assertThat(stranger.isAlive()).isTrue();
		}
		finally {
			stranger.destroyForcibly().waitFor();
		}
	}

	@Test
	void refusesATakenPortInOneLineBeforeStartingAnything() throws IOException {
		try (ServerSocket taken = takenPortBetween(20_000, 30_000)) {
			int offset = taken.getLocalPort() - 8080;
			int exit = new Fulcrum(this.home, Map.of(), print(this.out), print(this.err))
				.run(List.of("up", "--port-offset", String.valueOf(offset), "--home", this.home.toString()));

			assertThat(exit).isEqualTo(1);
			assertThat(this.err.toString(StandardCharsets.UTF_8).lines().toList()).singleElement()
				.asString()
				.startsWith("fulcrum: port " + taken.getLocalPort() + " is already in use, needed by gateway-1");
			assertThat(processesMarkedWith(this.home)).isEmpty();
		}
	}

	@Test
	void stopsItsOwnProcessEvenWhenTheClockMoved() throws Exception {
		// After a suspend the JVM may see a start time a second off; the marker still
		// proves it is ours.
		Instance sleeper = shell("sleeper-1", "sleep 300");
		Process process = new ProcessBuilder(sleeper.command()).start();
		Running recorded = Running.of(sleeper, process.toHandle());
		Running drifted = new Running(recorded.name(), recorded.service(), recorded.port(), recorded.url(),
				recorded.health(), recorded.pid(), recorded.startedMillis() - 5_000, recorded.log());
		try {
			assertThat(Stack.stop(List.of(drifted))).hasSize(1);
			assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			process.destroyForcibly();
		}
	}

	@Test
	void downStopsAProcessThatIgnoresSigtermAndClearsTheState() throws Exception {
		Instance stubborn = shell("stubborn-1", "trap '' TERM; while true; do sleep 1; done");
		Process process = new ProcessBuilder(stubborn.command()).start();
		StackState.write(this.home, List.of(Running.of(stubborn, process.toHandle())));

		int exit = new Fulcrum(this.home, Map.of(), print(this.out), print(this.err))
			.run(List.of("down", "--home", this.home.toString()));

		assertThat(exit).as(this.err.toString(StandardCharsets.UTF_8)).isZero();
		assertThat(process.isAlive()).isFalse();
		assertThat(processesMarkedWith(this.home)).isEmpty();
		assertThat(this.home.resolve(StackState.FILE)).doesNotExist();
	}

	@Test
	void rejectsAnUnknownOptionInOneLine() {
		int exit = new Fulcrum(this.home, Map.of(), print(this.out), print(this.err)).run(List.of("up", "--fast"));

		assertThat(exit).isEqualTo(2);
		assertThat(this.err.toString(StandardCharsets.UTF_8))
			.isEqualTo("fulcrum: unknown option '--fast' for up (see ./fulcrum help)" + System.lineSeparator());
	}

	@Test
	void refusesToStartASecondStackInTheSameHome() throws Exception {
		Process first = new ProcessBuilder("sleep", "300").start();
		try {
			StackState.write(this.home, List.of(Running.of(shell("api-service-1", "sleep 300"), first.toHandle())));
			int exit = new Fulcrum(this.home, Map.of(), print(this.out), print(this.err))
				.run(List.of("up", "--home", this.home.toString()));

			assertThat(exit).isEqualTo(1);
			assertThat(this.err.toString(StandardCharsets.UTF_8)).contains("a stack is already running");
		}
		finally {
			first.destroyForcibly().waitFor();
		}
	}

	private Stack stack() {
		return new Stack(this.home, print(this.out), print(this.err));
	}

	private Instance shell(String name, String script) {
		// The marker argument lets the test find the process again, as -Dfulcrum.stack
		// does for services.
		return new Instance(name, "test", 1, "-", new HealthCheck.Http("http://127.0.0.1:1/never"),
				List.of("sh", "-c", script, this.home.toString()), Map.of(),
				this.home.resolve("logs").resolve(name + ".log"));
	}

	static List<ProcessHandle> processesMarkedWith(Path home) {
		return ProcessHandle.allProcesses()
			.filter((p) -> java.util.Arrays.asList(p.info().arguments().orElse(new String[0]))
				.contains(home.toString()))
			.toList();
	}

	private static PrintStream print(ByteArrayOutputStream buffer) {
		return new PrintStream(buffer, true, StandardCharsets.UTF_8);
	}

	private static ServerSocket takenPortBetween(int from, int to) throws IOException {
		for (int port = from; port < to; port++) {
			try {
				ServerSocket socket = new ServerSocket();
				socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
				return socket;
			}
			catch (IOException ex) {
				// taken: next
			}
		}
		throw new IOException("no free port between " + from + " and " + to);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
