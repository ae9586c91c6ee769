package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What {@code up} planned, kept in {@code <home>/plan.properties} (owner-only: it holds
 * the services' Redis passwords, as {@code redis.conf} does) for the supervisor: how to
 * restart each instance, how to start another replica of a service, and what to scale.
 */
final class PlanFile {

	static final String FILE = "plan.properties";

	private PlanFile() {
	}

	/**
	 * What the supervisor needs.
	 *
	 * @param instances every instance as planned, in start order
	 * @param autoscaling what to scale
	 * @param redis the administrator's URL of the stack's Redis, for the queue's lag, or
	 * {@code null}
	 * @param gatewayManagement the gateway's management base URL, to see an instance
	 * drained
	 */
	record Plan(List<Instance> instances, Autoscaling autoscaling, URI redis, String gatewayManagement) {

		Plan {
			instances = List.copyOf(instances);
		}

	}

	static void write(Path home, Plan plan) {
		Properties properties = new Properties();
		for (int i = 0; i < plan.instances().size(); i++) {
			Instance instance = plan.instances().get(i);
			String prefix = "instance." + i + ".";
			properties.setProperty(prefix + "name", instance.name());
			properties.setProperty(prefix + "service", instance.service());
			properties.setProperty(prefix + "port", String.valueOf(instance.port()));
			properties.setProperty(prefix + "url", instance.url());
			properties.setProperty(prefix + "health", instance.health().target());
			properties.setProperty(prefix + "log", instance.log().toString());
			for (int c = 0; c < instance.command().size(); c++) {
				properties.setProperty(prefix + "command." + c, instance.command().get(c));
			}
			instance.environment().forEach((name, value) -> properties.setProperty(prefix + "env." + name, value));
		}
		Autoscaling autoscaling = plan.autoscaling();
		properties.setProperty("autoscale", String.valueOf(autoscaling.enabled()));
		properties.setProperty("autoscale.period", autoscaling.period().toString());
		properties.setProperty("autoscale.cpu-target", String.valueOf(autoscaling.cpuTarget()));
		properties.setProperty("autoscale.lag-target", String.valueOf(autoscaling.lagTarget()));
		properties.setProperty("autoscale.max-api", String.valueOf(autoscaling.maxApi()));
		properties.setProperty("autoscale.max-workers", String.valueOf(autoscaling.maxWorkers()));
		properties.setProperty("autoscale.down-window", autoscaling.downWindow().toString());
		if (plan.redis() != null) {
			properties.setProperty("redis", plan.redis().toString());
		}
		properties.setProperty("gateway.management", plan.gatewayManagement());
		StringWriter text = new StringWriter();
		try {
			properties.store(text, "./fulcrum up's plan, for its supervisor");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		RedisBinary.writePrivately(home.resolve(FILE), text.toString());
	}

	static Plan read(Path home) {
		Properties properties = new Properties();
		try (Reader reader = Files.newBufferedReader(home.resolve(FILE))) {
			properties.load(reader);
		}
		catch (IOException ex) {
			throw LauncherException.failure("cannot read " + home.resolve(FILE) + ": " + ex.getMessage());
		}
		List<Instance> instances = new ArrayList<>();
		for (int i = 0; properties.containsKey("instance." + i + ".name"); i++) {
			String prefix = "instance." + i + ".";
			List<String> command = new ArrayList<>();
			for (int c = 0; properties.containsKey(prefix + "command." + c); c++) {
				command.add(properties.getProperty(prefix + "command." + c));
			}
			Map<String, String> environment = new LinkedHashMap<>();
			properties.stringPropertyNames()
				.stream()
				.filter((key) -> key.startsWith(prefix + "env."))
				.sorted()
				.forEach((key) -> environment.put(key.substring((prefix + "env.").length()),
						properties.getProperty(key)));
			String health = properties.getProperty(prefix + "health");
			instances.add(new Instance(properties.getProperty(prefix + "name"),
					properties.getProperty(prefix + "service"),
					Integer.parseInt(properties.getProperty(prefix + "port")), properties.getProperty(prefix + "url"),
					HealthCheck.parse(health), command, environment, Path.of(properties.getProperty(prefix + "log"))));
		}
		Autoscaling autoscaling = new Autoscaling(Boolean.parseBoolean(properties.getProperty("autoscale")),
				Duration.parse(properties.getProperty("autoscale.period")),
				Double.parseDouble(properties.getProperty("autoscale.cpu-target")),
				Double.parseDouble(properties.getProperty("autoscale.lag-target")),
				Integer.parseInt(properties.getProperty("autoscale.max-api")),
				Integer.parseInt(properties.getProperty("autoscale.max-workers")),
				Duration.parse(properties.getProperty("autoscale.down-window")));
		String redis = properties.getProperty("redis");
		return new Plan(instances, autoscaling, (redis != null) ? URI.create(redis) : null,
				properties.getProperty("gateway.management"));
	}

}
