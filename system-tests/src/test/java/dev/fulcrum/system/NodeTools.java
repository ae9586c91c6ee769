package dev.fulcrum.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.opentest4j.TestAbortedException;

/**
 * The Node.js tools that the system tests drive, pinned in
 * {@code src/test/js/package.json}: panva/jose (an independent token check), newman (runs
 * the Postman collection) and playwright-core (drives Debian's Chromium through the
 * gateway's dashboard). Needs Node.js 20+ and npm, which installs the pinned versions
 * once ({@code npm ci}). Without Node those tests are skipped, unless
 * {@code FULCRUM_REQUIRE_NODE=1} (set by CI) makes them mandatory.
 */
final class NodeTools {

	static final Path SCRIPTS = Path.of(System.getProperty("fulcrum.root", ".."))
		.resolve("system-tests/src/test/js")
		.toAbsolutePath()
		.normalize();

	private static final List<String> PACKAGES = List.of("jose", "newman", "playwright-core");

	private NodeTools() {
	}

	/**
	 * Runs a command in the scripts folder, once Node and the pinned packages are there.
	 * @param command the command and its arguments
	 * @param timeoutSeconds how long it may take before it is killed
	 * @return the exit code and the output (stdout and stderr together)
	 */
	static LocalStack.Result run(List<String> command, int timeoutSeconds) {
		requireNode();
		if (PACKAGES.stream().anyMatch((name) -> !Files.isDirectory(SCRIPTS.resolve("node_modules").resolve(name)))) {
			LocalStack.Result install = exec(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
			if (install.exitCode() != 0) {
				throw new IllegalStateException("npm ci failed in " + SCRIPTS + ":\n" + install.output());
			}
		}
		return exec(command, timeoutSeconds);
	}

	private static void requireNode() {
		LocalStack.Result version;
		try {
			version = exec(List.of("node", "--version"), 20);
		}
		catch (IllegalStateException ex) {
			version = new LocalStack.Result(127, ex.getMessage());
		}
		if (version.exitCode() != 0) {
			String reason = "Node.js is not installed: this check needs node 20+ and npm";
			if ("1".equals(System.getenv("FULCRUM_REQUIRE_NODE"))) {
				throw new IllegalStateException(reason + " (FULCRUM_REQUIRE_NODE=1)");
			}
			throw new TestAbortedException(reason);
		}
	}

	private static LocalStack.Result exec(List<String> command, int timeoutSeconds) {
		LocalStack.Result result = Processes.run(Duration.ofSeconds(timeoutSeconds), Map.of(), SCRIPTS, command);
		if (result.exitCode() == Processes.TIMED_OUT || result.exitCode() == Processes.NOT_FOUND) {
			throw new IllegalStateException(result.output());
		}
		return result;
	}

}
