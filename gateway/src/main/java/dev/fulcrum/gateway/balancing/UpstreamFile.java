package dev.fulcrum.gateway.balancing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A file that lists the instances of one service, for a program that starts and stops
 * them (the local launcher when it scales): one base URL a line, optionally followed by
 * {@code draining}; blank lines and lines starting with {@code #} are ignored. For
 * example:
 *
 * <pre>
 * http://127.0.0.1:8091
 * http://127.0.0.1:8092
 * http://127.0.0.1:8093 draining
 * </pre>
 *
 * A draining instance takes no new request; those under way finish, so that the program
 * can stop it once {@code /actuator/balancing} shows none in flight. The writer replaces
 * the file atomically (write, then rename), so a reader never sees half of it.
 */
final class UpstreamFile {

	private UpstreamFile() {
	}

	/**
	 * Reads the file.
	 * @param file the file
	 * @return its instances, or empty when the file does not exist (yet)
	 * @throws IOException when it exists but cannot be read
	 * @throws IllegalArgumentException for a line that is not {@code URL [draining]}
	 */
	static Optional<List<Member>> read(Path file) throws IOException {
		if (!Files.exists(file)) {
			return Optional.empty();
		}
		return Optional.of(parse(Files.readAllLines(file)));
	}

	static List<Member> parse(List<String> lines) {
		List<Member> members = new ArrayList<>();
		for (String line : lines) {
			String trimmed = line.strip();
			if (trimmed.isEmpty() || trimmed.startsWith("#")) {
				continue;
			}
			String[] words = trimmed.split("\\s+");
			if (words.length > 2 || (words.length == 2 && !words[1].equals("draining"))) {
				throw new IllegalArgumentException("not 'URL [draining]': " + trimmed);
			}
			URI url = URI.create(words[0]);
			if (!List.of("http", "https").contains(url.getScheme()) || url.getHost() == null) {
				throw new IllegalArgumentException("not an http(s) base URL: " + words[0]);
			}
			members.add(new Member(url, words.length == 2));
		}
		return List.copyOf(members);
	}

	/**
	 * One instance of the file.
	 *
	 * @param url its base URL
	 * @param draining whether it is being taken out
	 */
	record Member(URI url, boolean draining) {
	}

}
