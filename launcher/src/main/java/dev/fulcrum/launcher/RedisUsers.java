package dev.fulcrum.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Redis users of a stack started here: the administrator (the default user, for
 * {@code redis-cli} and the launcher's own checks) and one user per service, with only
 * the keys, channels and commands that service needs, as {@code docker/redis-users.acl}
 * lists them. Each has a password made anew for each {@code up}.
 *
 * @param admin the default user's password
 * @param services each service's password, by service name
 */
record RedisUsers(String admin, Map<String, String> services) {

	/** The services that talk to Redis, each as its own user. */
	static final List<String> SERVICES = List.of("auth-service", "gateway", "api-service", "worker-service");

	/** Where the users' rules are, under the repository's root. */
	static final String RULES = "docker/redis-users.acl";

	RedisUsers {
		services = Map.copyOf(services);
	}

	/**
	 * New passwords for the administrator and every service.
	 * @return the users
	 */
	static RedisUsers generate() {
		Map<String, String> services = new LinkedHashMap<>();
		SERVICES.forEach((service) -> services.put(service, RedisBinary.newPassword()));
		return new RedisUsers(RedisBinary.newPassword(), services);
	}

	/**
	 * The URL a service connects with: its own user and password.
	 * @param service the service
	 * @param port the port of the Redis started here
	 * @return {@code redis://<service>:<password>@127.0.0.1:<port>}
	 */
	URI url(String service, int port) {
		String password = this.services.get(service);
		if (password == null) {
			throw new IllegalArgumentException("no Redis user for " + service);
		}
		return URI.create("redis://" + service + ":" + password + "@127.0.0.1:" + port);
	}

	/**
	 * The {@code user} directives of the configuration, each service's password in place
	 * of its placeholder ({@code AUTH_SERVICE_PASSWORD} for {@code auth-service}).
	 * @param root the repository
	 * @return one directive per service
	 */
	List<String> directives(Path root) {
		Path rules = root.resolve(RULES);
		List<String> lines;
		try {
			lines = Files.readAllLines(rules);
		}
		catch (IOException ex) {
			throw LauncherException.failure("cannot read " + rules + ": " + ex.getMessage());
		}
		List<String> directives = new ArrayList<>();
		for (String line : lines) {
			if (!line.startsWith("user ")) {
				continue;
			}
			String directive = line;
			for (Map.Entry<String, String> service : this.services.entrySet()) {
				directive = directive.replace(">" + placeholder(service.getKey()), ">" + service.getValue());
			}
			directives.add(directive);
		}
		for (String service : SERVICES) {
			if (directives.stream().noneMatch((directive) -> directive.startsWith("user " + service + " "))) {
				throw LauncherException.failure(rules + " has no user " + service);
			}
		}
		return directives;
	}

	/**
	 * The placeholder of a service's password in the rules.
	 * @param service the service
	 * @return for example {@code AUTH_SERVICE_PASSWORD}
	 */
	static String placeholder(String service) {
		return service.toUpperCase(Locale.ROOT).replace('-', '_') + "_PASSWORD";
	}

	@Override
	public String toString() {
		return "RedisUsers" + this.services.keySet();
	}

}
