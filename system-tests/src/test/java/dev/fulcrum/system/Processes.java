package dev.fulcrum.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the commands the system tests drive (docker, compose, node), bounded in time. */
final class Processes {

	/** The exit code of a command that was killed after its timeout. */
	static final int TIMED_OUT = -1;

	/** The exit code of a command that could not be started (as a shell says). */
	static final int NOT_FOUND = 127;

	private Processes() {
	}

	/**
	 * Runs a command with its output in a file (a chatty command cannot block on a full
	 * pipe), killing it and its children after the timeout.
	 * @param timeout how long it may take
	 * @param environment variables added to this JVM's
	 * @param directory where it runs, or {@code null} for this JVM's
	 * @param command the command and its arguments
	 * @return its exit code ({@link #TIMED_OUT}, {@link #NOT_FOUND}) and output, stdout
	 * and stderr together
	 */
	static LocalStack.Result run(Duration timeout, Map<String, String> environment, Path directory,
			List<String> command) {
		try {
			Path output = Files.createTempFile("command-", ".log");
			try {
				ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(output.toFile());
				if (directory != null) {
					builder.directory(directory.toFile());
				}
				builder.environment().putAll(environment);
				Process process = builder.start();
				process.getOutputStream().close();
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					process.descendants().forEach(ProcessHandle::destroyForcibly);
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
					return new LocalStack.Result(TIMED_OUT, String.join(" ", command) + " did not finish within "
							+ timeout + ":\n" + Files.readString(output, StandardCharsets.UTF_8));
				}
				return new LocalStack.Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
			}
			finally {
				Files.deleteIfExists(output);
			}
		}
		catch (IOException ex) {
			return new LocalStack.Result(NOT_FOUND, "cannot run " + String.join(" ", command) + ": " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

}
