package dev.fulcrum.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.opentest4j.TestAbortedException;

/**
 * Runs {@code src/test/js/verify-token.mjs}: a token checked by panva/jose, a JOSE
 * library that shares no code with Fulcrum's Java side. Needs Node.js 20+ and npm (to
 * install the pinned {@code jose} once). Without Node the check is skipped, unless
 * {@code FULCRUM_REQUIRE_NODE=1} (set by CI) makes it mandatory.
 */
final class JoseCheck {

	private static final Path SCRIPTS = Path.of(System.getProperty("fulcrum.root", ".."))
		.resolve("system-tests/src/test/js")
		.toAbsolutePath()
		.normalize();

	private JoseCheck() {
	}

	/**
	 * Verifies a token against a JWK Set.
	 * @param jwksUrl where the keys are published
	 * @param token the token
	 * @return the script's exit code and output
	 */
	static LocalStack.Result verify(String jwksUrl, String token) {
		requireNode();
		if (!Files.isDirectory(SCRIPTS.resolve("node_modules/jose"))) {
			LocalStack.Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 180);
			if (install.exitCode() != 0) {
				throw new IllegalStateException("npm ci failed in " + SCRIPTS + ":\n" + install.output());
			}
		}
		return run(List.of("node", "verify-token.mjs", jwksUrl, token), 60);
	}

	private static void requireNode() {
		LocalStack.Result version;
		try {
			version = run(List.of("node", "--version"), 20);
		}
		catch (IllegalStateException ex) {
			version = new LocalStack.Result(127, ex.getMessage());
		}
		if (version.exitCode() != 0) {
			String reason = "Node.js is not installed: the jose cross-check needs node 20+ and npm";
			if ("1".equals(System.getenv("FULCRUM_REQUIRE_NODE"))) {
				throw new IllegalStateException(reason + " (FULCRUM_REQUIRE_NODE=1)");
			}
			throw new TestAbortedException(reason);
		}
	}

	private static LocalStack.Result run(List<String> command, int timeoutSeconds) {
		try {
			Process process = new ProcessBuilder(command).directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
			process.getOutputStream().close();
			if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			return new LocalStack.Result(process.exitValue(), output);
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run " + command + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

}
