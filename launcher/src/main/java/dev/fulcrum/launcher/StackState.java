package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The processes of a running stack, kept in {@code <home>/stack.tsv} (one tab-separated
 * line per process, with a header), so that a later {@code ./fulcrum} call finds them.
 * Written after every start, so that even an interrupted {@code up} leaves a table that
 * {@code down} can use.
 */
final class StackState {

	static final String FILE = "stack.tsv";

	private static final String HEADER = "instance\tservice\tport\turl\thealth\tpid\tstarted\tlog";

	private StackState() {
	}

	static void write(Path home, List<Running> processes) {
		List<String> lines = new ArrayList<>();
		lines.add(HEADER);
		for (Running running : processes) {
			lines.add(String.join("\t", running.name(), running.service(), String.valueOf(running.port()),
					running.url(), running.health().target(), String.valueOf(running.pid()),
					String.valueOf(running.startedMillis()), running.log().toString()));
		}
		try {
			Files.createDirectories(home);
			Path temporary = home.resolve(FILE + ".tmp");
			Files.write(temporary, lines);
			Files.move(temporary, home.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + home.resolve(FILE), ex);
		}
	}

	static List<Running> read(Path home) {
		Path file = home.resolve(FILE);
		if (!Files.exists(file)) {
			return List.of();
		}
		try {
			return Files.readAllLines(file)
				.stream()
				.skip(1)
				.filter((line) -> !line.isBlank())
				.map(StackState::parse)
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + file, ex);
		}
	}

	static void clear(Path home) {
		try {
			Files.deleteIfExists(home.resolve(FILE));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete " + home.resolve(FILE), ex);
		}
	}

	private static Running parse(String line) {
		String[] f = line.split("\t", -1);
		if (f.length != 8) {
			throw LauncherException.failure("damaged state line, remove it by hand: " + line);
		}
		HealthCheck health = HealthCheck.parse(f[4]);
		try {
			return new Running(f[0], f[1], Integer.parseInt(f[2]), f[3], health, Long.parseLong(f[5]),
					Long.parseLong(f[6]), Path.of(f[7]));
		}
		catch (NumberFormatException ex) {
			throw LauncherException.failure("damaged state line, remove it by hand: " + line);
		}
	}

	/**
	 * A started process.
	 *
	 * @param name the instance id
	 * @param service its service
	 * @param port its port
	 * @param url where a user reaches it
	 * @param health how to tell it is ready
	 * @param pid its process id
	 * @param startedMillis when it started, as the operating system says; tells a reused
	 * pid apart
	 * @param log its log file
	 */
	record Running(String name, String service, int port, String url, HealthCheck health, long pid, long startedMillis,
			Path log) {

		static Running of(Instance instance, ProcessHandle process) {
			return new Running(instance.name(), instance.service(), instance.port(), instance.url(), instance.health(),
					process.pid(), startedMillis(process), instance.log());
		}

		/**
		 * The live process, if this one still runs (and its pid was not reused by
		 * another).
		 * @return the process handle
		 */
		Optional<ProcessHandle> process() {
			return ProcessHandle.of(this.pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
		}

		/**
		 * A pid may have been reused. It is ours if its command line carries the state
		 * folder (every process of a stack does: -Dfulcrum.stack, or Redis's binary and
		 * data folder), or if it started when we recorded. The start time alone is not
		 * enough: the JVM derives it from the boot time, which moves by a second after a
		 * suspend or a clock step.
		 */
		private boolean isOurs(ProcessHandle process) {
			String home = this.log.getParent().getParent().toString();
			String[] args = process.info().arguments().orElse(new String[0]);
			boolean marked = Arrays.stream(args)
				.anyMatch((arg) -> arg.equals("-Dfulcrum.stack=" + home) || arg.equals(home)
						|| arg.startsWith(home + "/"))
					// Redis rewrites its arguments (process title); its executable lies
					// in the home.
					|| process.info().command().orElse("").startsWith(home + "/");
			return marked || Math.abs(startedMillis(process) - this.startedMillis) <= 2000;
		}

		private static long startedMillis(ProcessHandle process) {
			return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
		}

	}

}
