package dev.fulcrum.gateway;

import java.security.Security;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The gateway: Fulcrum's only public entry, balancing requests over the service replicas.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

	public static void main(String[] args) {
		keepLookedUpNamesBriefly();
		SpringApplication.run(GatewayApplication.class, args);
	}

	/**
	 * The JVM keeps a looked-up name for 30 s, and reads that setting once, at its first
	 * look-up: set here, before anything looks a name up, so that instances found in DNS
	 * (UpstreamPools, every {@code dns-refresh}) are as fresh as the refresh. With the
	 * setting made later, a replica scaled out in compose joined up to 30 s late.
	 */
	static void keepLookedUpNamesBriefly() {
		Security.setProperty("networkaddress.cache.ttl", "1");
	}

}
