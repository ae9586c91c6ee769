package dev.fulcrum.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One process of the stack, as planned.
 *
 * @param name the instance id, unique in the stack ({@code api-service-2})
 * @param service the service it belongs to ({@code api-service})
 * @param port the port it serves on
 * @param url where a user reaches it
 * @param health how to tell that it is ready
 * @param command the command line
 * @param environment variables added to the launcher's own environment
 * @param log the file that receives its output
 */
record Instance(String name, String service, int port, String url, HealthCheck health, List<String> command,
		Map<String, String> environment, Path log) {

	Instance {
		command = List.copyOf(command);
		environment = Map.copyOf(environment);
	}

}
