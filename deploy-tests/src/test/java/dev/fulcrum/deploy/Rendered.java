package dev.fulcrum.deploy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The objects one variant of the Kubernetes manifests renders to, with the lookups the
 * checks need.
 *
 * @param objects every rendered object, as maps
 */
record Rendered(List<Map<String, Object>> objects) {

	/** Objects of one kind. */
	List<Map<String, Object>> all(String kind) {
		return this.objects.stream().filter((object) -> kind.equals(object.get("kind"))).toList();
	}

	/** The names of the objects of one kind. */
	List<String> names(String kind) {
		return all(kind).stream().map(Rendered::name).toList();
	}

	/** The one object of a kind and name; fails the test when there is none. */
	Map<String, Object> one(String kind, String name) {
		List<Map<String, Object>> found = all(kind).stream().filter((object) -> name.equals(name(object))).toList();
		assertThat(found).as(kind + " " + name).hasSize(1);
		return found.get(0);
	}

	/** Deployments and StatefulSets. */
	List<Map<String, Object>> workloads() {
		return this.objects.stream()
			.filter((object) -> "Deployment".equals(object.get("kind")) || "StatefulSet".equals(object.get("kind")))
			.toList();
	}

	/** The first container of a workload. */
	Map<String, Object> container(String workload) {
		Map<String, Object> found = workloads().stream()
			.filter((object) -> workload.equals(name(object)))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no workload " + workload));
		return Repository
			.maps(Repository.map(Repository.map(Repository.map(found, "spec"), "template"), "spec").get("containers"))
			.get(0);
	}

	/** The plain environment values of a Deployment's first container. */
	Map<String, String> environment(String workload) {
		Map<String, String> env = new HashMap<>();
		for (Map<String, Object> variable : Repository.maps(container(workload).get("env"))) {
			if (variable.containsKey("value")) {
				env.put(variable.get("name").toString(), variable.get("value").toString());
			}
		}
		return env;
	}

	static String name(Map<String, Object> object) {
		return Repository.map(object, "metadata").get("name").toString();
	}

	/** The labels of a workload's pods. */
	static Map<String, Object> podLabels(Map<String, Object> workload) {
		return Repository.map(Repository.map(Repository.map(Repository.map(workload, "spec"), "template"), "metadata"),
				"labels");
	}

}
