package dev.fulcrum.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Postman collection and environment under {@code postman/}, run with newman (see
 * {@link NodeTools}), and what it covers.
 */
final class PostmanCollection {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Path collection;

	private final Path environment;

	PostmanCollection(Path root) {
		this.collection = root.resolve("postman/fulcrum.postman_collection.json");
		this.environment = root.resolve("postman/local.postman_environment.json");
	}

	/**
	 * Runs the whole collection against a gateway with newman.
	 * @param baseUrl the gateway
	 * @param report where newman writes its JSON report
	 * @return newman's exit code and console output
	 */
	LocalStack.Result run(String baseUrl, Path report) {
		return run(baseUrl, report, Map.of());
	}

	/**
	 * Runs the whole collection against a gateway with newman, with environment values of
	 * the caller's own (for example another administrator's password).
	 * @param baseUrl the gateway
	 * @param report where newman writes its JSON report
	 * @param values environment values that replace the file's
	 * @return newman's exit code and console output
	 */
	LocalStack.Result run(String baseUrl, Path report, Map<String, String> values) {
		return run(baseUrl, report, values, List.of());
	}

	/**
	 * Runs some folders of the collection against a gateway with newman.
	 * @param baseUrl the gateway
	 * @param report where newman writes its JSON report
	 * @param values environment values that replace the file's
	 * @param folders the folders to run, in the collection's order; none for all
	 * @return newman's exit code and console output
	 */
	LocalStack.Result run(String baseUrl, Path report, Map<String, String> values, List<String> folders) {
		List<String> command = new ArrayList<>(
				List.of("node", "node_modules/newman/bin/newman.js", "run", this.collection.toString(), "--environment",
						this.environment.toString(), "--env-var", "baseUrl=" + baseUrl));
		values.forEach((name, value) -> command.addAll(List.of("--env-var", name + "=" + value)));
		folders.forEach((folder) -> command.addAll(List.of("--folder", folder)));
		command.addAll(List.of("--reporters", "cli,json", "--reporter-json-export", report.toString(),
				"--timeout-request", "15000", "--timeout", "180000", "--color", "off", "--disable-unicode"));
		return NodeTools.run(command, 240);
	}

	/** Every request of the collection, as "Folder / Request". */
	Set<String> requestNames() {
		Set<String> names = new TreeSet<>();
		forEachRequest(read(this.collection), "", (path, item) -> names.add(path));
		return names;
	}

	/**
	 * Every operation the collection calls, as "METHOD /path" with each path variable
	 * written {@code {}}, as in an OpenAPI document's paths.
	 */
	Set<String> operations() {
		Set<String> operations = new TreeSet<>();
		forEachRequest(read(this.collection), "", (path, item) -> {
			String url = item.at("/request/url/raw").asString().replace("{{baseUrl}}", "");
			int query = url.indexOf('?');
			url = (query < 0) ? url : url.substring(0, query);
			operations.add(item.at("/request/method").asString() + " " + url.replaceAll("\\{\\{[^}]+}}", "{}"));
		});
		return operations;
	}

	/**
	 * The operations of an OpenAPI document, written as {@link #operations()} writes
	 * them.
	 * @param openApi the document
	 * @return "METHOD /path" for each operation
	 */
	static Set<String> operationsOf(JsonNode openApi) {
		Set<String> operations = new TreeSet<>();
		openApi.get("paths").properties().forEach((path) -> path.getValue().propertyNames().forEach((method) -> {
			operations.add(method.toUpperCase() + " " + path.getKey().replaceAll("\\{[^}]+}", "{}"));
		}));
		return operations;
	}

	/** The "Folder / Request" names that a newman JSON report says were executed. */
	static Set<String> executed(JsonNode report) {
		Set<String> names = new TreeSet<>();
		forEachRequest(report.at("/collection"), "", (path, item) -> {
			String id = item.get("id").asString();
			for (JsonNode execution : report.at("/run/executions")) {
				if (execution.at("/item/id").asString().equals(id)) {
					names.add(path);
				}
			}
		});
		return names;
	}

	/** What a newman JSON report lists as failed, as "Request: message". */
	static List<String> failures(JsonNode report) {
		List<String> failures = new ArrayList<>();
		for (JsonNode failure : report.at("/run/failures")) {
			failures.add(failure.at("/source/name").asString() + ": " + failure.at("/error/message").asString());
		}
		return failures;
	}

	static JsonNode read(Path file) {
		try {
			return JSON.readTree(Files.readString(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void forEachRequest(JsonNode folder, String prefix, RequestVisitor visitor) {
		for (JsonNode item : folder.path("item")) {
			String name = prefix.isEmpty() ? item.get("name").asString() : prefix + " / " + item.get("name").asString();
			if (item.has("request")) {
				visitor.visit(name, item);
			}
			else {
				forEachRequest(item, name, visitor);
			}
		}
	}

	@FunctionalInterface
	private interface RequestVisitor {

		void visit(String name, JsonNode item);

	}

}
