package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The file from which the gateway takes a service's instances
 * ({@code fulcrum.gateway.files.<service>}, the gateway's {@code UpstreamFile}): one base
 * URL a line, {@code draining} after an instance about to be stopped. Replaced
 * atomically, so that the gateway never reads half of it.
 */
final class UpstreamFile {

	private UpstreamFile() {
	}

	static Path of(Path home, String service) {
		return home.resolve("upstreams").resolve(service);
	}

	/**
	 * Writes the file.
	 * @param file where
	 * @param urls the base URLs of the instances, in order
	 * @param draining those of them that take no new request
	 */
	static void write(Path file, Collection<String> urls, Set<String> draining) {
		List<String> lines = new ArrayList<>();
		lines.add("# Written by ./fulcrum; read by the gateway (fulcrum.gateway.files). Do not edit.");
		urls.forEach((url) -> lines.add(draining.contains(url) ? url + " draining" : url));
		try {
			Files.createDirectories(file.getParent());
			Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
			Files.write(temporary, lines);
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + file, ex);
		}
	}

}
