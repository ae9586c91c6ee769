package dev.fulcrum.deploy;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation holds together: every relative link in every Markdown file leads to a
 * file of the repository and, where it names one, to a heading that exists (GitHub's
 * anchors); nothing points at the design brief the project started from, outside the
 * repository; and the README stays short enough to read in five minutes.
 */
class DocumentationTests {

	/** {@code [text](target)} and {@code ![alt](target)}, the target without a title. */
	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

	private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

	private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", "target", "node_modules", ".fulcrum");

	private final Path root = Repository.root();

	private final Map<Path, Set<String>> anchors = new HashMap<>();

	@Test
	void everyRelativeLinkLeadsToAFileAndAHeadingOfTheRepository() throws IOException {
		List<String> broken = new ArrayList<>();
		List<Path> pages = markdown();
		for (Path page : pages) {
			List<String> lines = Files.readAllLines(page);
			boolean fenced = false;
			for (int i = 0; i < lines.size(); i++) {
				String line = lines.get(i);
				if (line.strip().startsWith("```")) {
					fenced = !fenced;
					continue;
				}
				if (fenced) {
					continue;
				}
				Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
				while (link.find()) {
					String problem = check(page, link.group(1));
					if (problem != null) {
						broken.add(this.root.relativize(page) + ":" + (i + 1) + ": " + link.group(1) + " (" + problem
								+ ")");
					}
				}
			}
		}
		assertThat(pages).as("Markdown files found").hasSizeGreaterThan(20);
		assertThat(broken).as("broken links").isEmpty();
	}

	@Test
	void nothingPointsAtTheBriefOutsideTheRepository() throws IOException {
		List<String> found = new ArrayList<>();
		try (Stream<Path> files = walk()) {
			for (Path file : files.filter((path) -> text(path.getFileName().toString())).toList()) {
				List<String> lines = Files.readAllLines(file);
				for (int i = 0; i < lines.size(); i++) {
					String line = lines.get(i);
					if (line.contains("DESIGN.md") || line.contains("STYLE.md") || line.contains("../shared/")) {
						found.add(this.root.relativize(file) + ":" + (i + 1) + ": " + line.strip());
					}
				}
			}
		}
		// This class names them, to look for them.
		found
			.removeIf((hit) -> hit.startsWith("deploy-tests/src/test/java/dev/fulcrum/deploy/DocumentationTests.java"));
		assertThat(found).as("references to the brief, which is docs/design.md now").isEmpty();
	}

	@Test
	void theReadmeIsAboutTwoHundredLines() throws IOException {
		assertThat(Files.readAllLines(this.root.resolve("README.md"))).as("README.md's lines").hasSizeLessThan(250);
	}

	/** What is wrong with a link of a page, or {@code null} when it resolves. */
	private String check(Path page, String target) {
		if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
			// http:, https:, mailto: ...: not checked here (no internet in CI).
			return null;
		}
		int hash = target.indexOf('#');
		String file = (hash >= 0) ? target.substring(0, hash) : target;
		String anchor = (hash >= 0) ? target.substring(hash + 1) : null;
		Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
		if (!resolved.startsWith(this.root)) {
			return "outside the repository";
		}
		if (!Files.exists(resolved)) {
			return "no such file";
		}
		if (anchor != null && !anchor.isEmpty() && resolved.toString().endsWith(".md")
				&& !anchorsOf(resolved).contains(anchor)) {
			return "no heading with that anchor";
		}
		return null;
	}

	/** The anchors GitHub gives a page's headings, and its explicit {@code <a id>}s. */
	private Set<String> anchorsOf(Path page) {
		return this.anchors.computeIfAbsent(page, (path) -> {
			Set<String> found = new HashSet<>();
			Map<String, Integer> seen = new HashMap<>();
			boolean fenced = false;
			try {
				for (String line : Files.readAllLines(path)) {
					if (line.strip().startsWith("```")) {
						fenced = !fenced;
						continue;
					}
					Matcher html = HTML_ANCHOR.matcher(line);
					while (html.find()) {
						found.add(html.group(1));
					}
					Matcher heading = HEADING.matcher(line);
					if (!fenced && heading.matches()) {
						String slug = slug(heading.group(1));
						int count = seen.merge(slug, 1, Integer::sum);
						found.add((count == 1) ? slug : slug + "-" + (count - 1));
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			return found;
		});
	}

	/**
	 * GitHub's anchor for a heading: its text (a link's text, not its target), lower
	 * case, without punctuation but hyphens and underscores, spaces as hyphens.
	 */
	static String slug(String heading) {
		String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
		return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}_ -]", "").replace(' ', '-');
	}

	private List<Path> markdown() throws IOException {
		try (Stream<Path> files = walk()) {
			return files.filter((path) -> path.getFileName().toString().endsWith(".md")).sorted().toList();
		}
	}

	/** The repository's files, without Git's, the build's and the local stack's. */
	private Stream<Path> walk() throws IOException {
		List<Path> files = new ArrayList<>();
		Files.walkFileTree(this.root, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
				return SKIPPED_DIRECTORIES.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE
						: FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
				files.add(file);
				return FileVisitResult.CONTINUE;
			}

		});
		return files.stream();
	}

	private static boolean text(String name) {
		return name.endsWith(".md") || name.endsWith(".java") || name.endsWith(".yml") || name.endsWith(".yaml")
				|| name.endsWith(".sh") || name.endsWith(".json") || name.endsWith(".xml") || name.equals("fulcrum")
				|| name.equals("run") || name.equals("Dockerfile");
	}

}
