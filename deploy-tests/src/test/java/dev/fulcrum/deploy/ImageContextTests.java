package dev.fulcrum.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the image build sees: the Dockerfile runs Maven on the whole reactor, which reads
 * every module's {@code pom.xml}, so {@code .dockerignore} may leave out a module's
 * sources but never its pom. Moving the JMH module under the ignored {@code bench/} once
 * broke every image build, found only by the compose system tests.
 */
class ImageContextTests {

	private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

	private final Path root = Repository.root();

	@Test
	void everyModulesPomIsInTheImagesBuildContext() throws IOException {
		List<Rule> rules = rules();
		List<String> modules = new ArrayList<>();
		Matcher module = MODULE.matcher(Files.readString(this.root.resolve("pom.xml")));
		while (module.find()) {
			modules.add(module.group(1));
		}
		assertThat(modules).as("modules of the root pom").contains("gateway", "worker-service");
		for (String name : modules) {
			String pom = name + "/pom.xml";
			assertThat(Files.exists(this.root.resolve(pom))).as(pom).isTrue();
			assertThat(ignored(rules, pom)).as(pom + " left out of the image's build context by .dockerignore")
				.isFalse();
		}
		assertThat(ignored(rules, "pom.xml")).as("the root pom").isFalse();
		assertThat(ignored(rules, "mvnw")).as("the Maven wrapper").isFalse();
	}

	@Test
	void theRulesReadAsDockerReadsThem() throws IOException {
		List<Rule> rules = rules();
		assertThat(ignored(rules, "gateway/target/gateway.jar")).isTrue();
		assertThat(ignored(rules, "bench/stack.sh")).isTrue();
		assertThat(ignored(rules, "docs/design.md")).isTrue();
		assertThat(ignored(rules, "gateway/src/main/java/dev/fulcrum/gateway/GatewayApplication.java")).isFalse();
	}

	/**
	 * Whether Docker leaves a path out: the last rule that matches it, or one of its
	 * parent directories, decides; a rule starting with {@code !} takes it back in.
	 */
	private static boolean ignored(List<Rule> rules, String path) {
		boolean ignored = false;
		for (Rule rule : rules) {
			if (rule.matches(path)) {
				ignored = !rule.exception();
			}
		}
		return ignored;
	}

	private List<Rule> rules() throws IOException {
		List<Rule> rules = new ArrayList<>();
		for (String line : Files.readAllLines(this.root.resolve(".dockerignore"))) {
			String text = line.strip();
			if (text.isEmpty() || text.startsWith("#")) {
				continue;
			}
			boolean exception = text.startsWith("!");
			rules.add(new Rule(exception, regex(exception ? text.substring(1) : text)));
		}
		return rules;
	}

	/**
	 * A pattern as a regular expression: {@code **} any directories, {@code *} one name.
	 */
	private static Pattern regex(String glob) {
		String pattern = glob.endsWith("/") ? glob.substring(0, glob.length() - 1) : glob;
		StringBuilder regex = new StringBuilder();
		for (int i = 0; i < pattern.length(); i++) {
			char c = pattern.charAt(i);
			if (pattern.startsWith("**/", i)) {
				regex.append("(?:.*/)?");
				i += 2;
			}
			else if (c == '*') {
				regex.append("[^/]*");
			}
			else if (c == '?') {
				regex.append("[^/]");
			}
			else {
				regex.append(Pattern.quote(String.valueOf(c)));
			}
		}
		return Pattern.compile(regex.toString());
	}

	private record Rule(boolean exception, Pattern pattern) {

		/** Matches the path itself or a directory it lies in. */
		boolean matches(String path) {
			String candidate = path;
			while (true) {
				if (this.pattern.matcher(candidate).matches()) {
					return true;
				}
				int slash = candidate.lastIndexOf('/');
				if (slash < 0) {
					return false;
				}
				candidate = candidate.substring(0, slash);
			}
		}

	}

}
