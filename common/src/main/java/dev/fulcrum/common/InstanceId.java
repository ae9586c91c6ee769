package dev.fulcrum.common;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The stable name of one running instance, as shown in {@code X-Served-By} and in every
 * log line. Taken from {@code fulcrum.instance-id} (the {@code INSTANCE_ID} environment
 * variable), else {@code host:port}, which in Kubernetes is the pod name and port.
 *
 * @param value the instance id, never blank
 */
public record InstanceId(String value) {

	/** The property that holds the resolved id once the environment is prepared. */
	public static final String PROPERTY = "fulcrum.instance-id";

	public InstanceId {
		if (!StringUtils.hasText(value)) {
			throw new IllegalArgumentException("instance id must not be blank");
		}
	}

	/**
	 * Resolves the id of this instance from the environment.
	 * @param environment the application environment
	 * @return the configured id, else {@code host:port}
	 */
	public static InstanceId from(Environment environment) {
		String configured = environment.getProperty(PROPERTY, environment.getProperty("INSTANCE_ID", ""));
		if (StringUtils.hasText(configured)) {
			return new InstanceId(configured.strip());
		}
		return new InstanceId(hostName() + ":" + environment.getProperty("server.port", "8080"));
	}

	private static String hostName() {
		String fromEnvironment = System.getenv("HOSTNAME");
		if (StringUtils.hasText(fromEnvironment)) {
			return fromEnvironment;
		}
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

	@Override
	public String toString() {
		return this.value;
	}

}
