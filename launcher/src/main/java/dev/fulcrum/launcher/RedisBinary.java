package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import redis.embedded.RedisExecProvider;

/**
 * The Redis 7 server binary shipped inside {@code org.signal:embedded-redis}, copied once
 * into the state folder so that the stack's Redis is a plain process like every other.
 */
final class RedisBinary {

	private RedisBinary() {
	}

	/**
	 * Makes a password for one stack's Redis.
	 * @return 32 random hex characters
	 */
	static String newPassword() {
		return HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
	}

	/**
	 * Writes {@code <home>/redis.conf} (owner-only) with the stack's passwords, so that
	 * they never appear on a command line where {@code ps} would show them: the default
	 * user's, and each service's user.
	 * @param home the state folder
	 * @param password the default user's password
	 * @param users the {@code user} directives of the services
	 * @return the file
	 */
	static Path writeConfig(Path home, String password, List<String> users) {
		Path config = home.resolve("redis.conf");
		writePrivately(config, "# Written by ./fulcrum up for this stack only.\nrequirepass " + password + "\n"
				+ String.join("\n", users) + "\n");
		return config;
	}

	/**
	 * Writes a file only its owner may read (a secret of the stack), replacing any.
	 * @param file the file
	 * @param text what it holds
	 */
	static void writePrivately(Path file, String text) {
		try {
			Files.deleteIfExists(file);
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(file, text);
		}
		catch (IOException ex) {
			throw LauncherException.failure("cannot write " + file + " (" + ex.getMessage() + ")");
		}
	}

	/**
	 * Puts {@code redis-server} into {@code <home>/bin} unless it is there already.
	 * @param home the state folder
	 * @return the executable
	 */
	static Path install(Path home) {
		Path target = home.resolve("bin/redis-server");
		if (Files.isExecutable(target)) {
			return target;
		}
		try {
			Files.createDirectories(target.getParent());
			Files.createDirectories(home.resolve("redis"));
			Path extracted = RedisExecProvider.defaultProvider().get().toPath();
			Path temporary = target.resolveSibling("redis-server.tmp");
			Files.copy(extracted, temporary, StandardCopyOption.REPLACE_EXISTING);
			temporary.toFile().setExecutable(true, true);
			Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return target;
		}
		catch (IOException | RuntimeException ex) {
			throw LauncherException.failure("cannot install the embedded Redis binary into " + target + " ("
					+ ex.getMessage() + "); set REDIS_URL to use another Redis");
		}
	}

}
