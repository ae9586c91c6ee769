package dev.fulcrum.common;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The stable name of one running instance, as shown in {@code X-Served-By} and in every
 * log line. Taken from {@code fulcrum.instance-id} (the {@code INSTANCE_ID} environment
 * variable); else, where {@code INSTANCE_ID_FROM=container-name} (compose), from the name
 * that Docker's DNS gives this container ({@code fulcrum-api-service-2} becomes
 * {@code api-service-2}); else {@code host:port}, which in Kubernetes is the pod name and
 * port.
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
		String port = environment.getProperty("server.port", "8080");
		if ("container-name".equals(environment.getProperty("INSTANCE_ID_FROM", ""))) {
			String service = environment.getProperty("spring.application.name", "");
			Optional<InstanceId> fromContainer = ownDnsName().flatMap((name) -> fromContainerName(name, service));
			if (fromContainer.isPresent()) {
				return fromContainer.get();
			}
		}
		return new InstanceId(hostName() + ":" + port);
	}

	/**
	 * The id in a container's DNS name, as Compose names containers:
	 * {@code <project>-<service>-<n>} (Compose v2) or {@code <project>_<service>_<n>}
	 * (v1), followed by the network's domain.
	 * @param dnsName the container's name in Docker's DNS
	 * @param service the service's name ({@code spring.application.name})
	 * @return {@code <service>-<n>}, or empty when the name is not of that form
	 */
	static Optional<InstanceId> fromContainerName(String dnsName, String service) {
		if (!StringUtils.hasText(service)) {
			return Optional.empty();
		}
		String host = dnsName.toLowerCase(Locale.ROOT);
		int dot = host.indexOf('.');
		host = (dot < 0) ? host : host.substring(0, dot);
		Matcher matcher = Pattern.compile("(?:^|.*[-_])" + Pattern.quote(service) + "[-_](\\d+)").matcher(host);
		return matcher.matches() ? Optional.of(new InstanceId(service + "-" + matcher.group(1))) : Optional.empty();
	}

	/**
	 * This container's own name, asked of the DNS server (Docker's answers the reverse
	 * lookup of a container's address with its name; {@code /etc/hosts} has only the
	 * container id, which is why the system resolver is not asked).
	 */
	private static Optional<String> ownDnsName() {
		try {
			byte[] address = InetAddress.getLocalHost().getAddress();
			if (address.length != 4) {
				return Optional.empty();
			}
			String reverse = String.format("%d.%d.%d.%d.in-addr.arpa", address[3] & 0xff, address[2] & 0xff,
					address[1] & 0xff, address[0] & 0xff);
			Hashtable<String, String> environment = new Hashtable<>();
			environment.put(DirContext.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
			environment.put(DirContext.PROVIDER_URL, "dns:");
			environment.put("com.sun.jndi.dns.timeout.initial", "500");
			environment.put("com.sun.jndi.dns.timeout.retries", "2");
			DirContext dns = new InitialDirContext(environment);
			try {
				Attribute ptr = dns.getAttributes(reverse, new String[] { "PTR" }).get("PTR");
				return (ptr != null && ptr.size() > 0) ? Optional.of(ptr.get(0).toString()) : Optional.empty();
			}
			finally {
				dns.close();
			}
		}
		catch (UnknownHostException | NamingException ex) {
			return Optional.empty();
		}
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
