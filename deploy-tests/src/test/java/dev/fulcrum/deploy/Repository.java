package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's files as the deploy checks read them: YAML documents as maps (merge
 * keys resolved), and what each service's own {@code application.yml} says about its name
 * and ports.
 */
final class Repository {

	/** {@code ${SERVER_PORT:8091}}: the variable and its default. */
	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+):([^}]*)}");

	private Repository() {
	}

	/** The repository root: the nearest directory upwards that holds {@code mvnw}. */
	static Path root() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
			dir = dir.getParent();
		}
		assertThat(dir).as("repository root above " + Path.of("").toAbsolutePath()).isNotNull();
		return dir;
	}

	/** A YAML file of the repository, as a map. */
	static Map<String, Object> yaml(String path) {
		try (Reader reader = Files.newBufferedReader(root().resolve(path))) {
			return new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** YAML text, as a map. */
	static Map<String, Object> parse(String yaml) {
		return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
	}

	/** A nested map; fails the test, naming the key, when it is missing or not a map. */
	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Map<String, Object> parent, String key) {
		assertThat(parent).as("has " + key).containsKey(key);
		assertThat(parent.get(key)).as(key).isInstanceOf(Map.class);
		return (Map<String, Object>) parent.get(key);
	}

	/** A nested list of scalars, as text. */
	static List<String> list(Map<String, Object> parent, String key) {
		assertThat(parent).as("has " + key).containsKey(key);
		assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
		return ((List<?>) parent.get(key)).stream().map(String::valueOf).toList();
	}

	/** A list of maps (an absent list is empty). */
	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> maps(Object list) {
		if (list == null) {
			return List.of();
		}
		assertThat(list).isInstanceOf(List.class);
		return (List<Map<String, Object>>) list;
	}

	/** What a service's {@code application.yml} says: its name and default ports. */
	static Application application(String module) {
		Map<String, Object> yaml = yaml(module + "/src/main/resources/application.yml");
		String name = map(map(yaml, "spring"), "application").get("name").toString();
		int port = Integer.parseInt(defaultOf(map(yaml, "server").get("port")));
		Map<String, Object> management = map(yaml, "management");
		Object managementPort = management.containsKey("server") ? map(management, "server").get("port") : null;
		return new Application(name, port,
				(managementPort != null) ? Integer.valueOf(defaultOf(managementPort)) : null);
	}

	/** The default of a {@code ${VARIABLE:default}} value, or the value itself. */
	private static String defaultOf(Object value) {
		Matcher matcher = PLACEHOLDER.matcher(value.toString());
		return matcher.matches() ? matcher.group(2) : value.toString();
	}

	/**
	 * A service as its own configuration describes it.
	 *
	 * @param name {@code spring.application.name}
	 * @param port the port it serves on
	 * @param managementPort its separate management port, or {@code null} when it has
	 * none
	 */
	record Application(String name, int port, Integer managementPort) {
	}

}
