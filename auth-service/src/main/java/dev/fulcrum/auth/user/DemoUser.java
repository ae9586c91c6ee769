package dev.fulcrum.auth.user;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.fulcrum.auth.config.AuthProperties;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Creates the demo user of the local profile ({@code fulcrum.auth.demo-user.enabled}) if
 * it does not exist yet. Never enabled by default: its password is in the repository.
 */
@Component
@ConditionalOnProperty(name = "fulcrum.auth.demo-user.enabled", havingValue = "true")
class DemoUser implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(DemoUser.class);

	private final UserService users;

	private final UserStore store;

	private final AuthProperties properties;

	DemoUser(UserService users, UserStore store, AuthProperties properties) {
		this.users = users;
		this.store = store;
		this.properties = properties;
	}

	@Override
	public void run(ApplicationArguments args) {
		create(this.properties.demoUser(), List.of("USER"));
		if (this.properties.demoAdmin().enabled()) {
			create(this.properties.demoAdmin(), List.of("USER", "ADMIN"));
		}
	}

	private void create(AuthProperties.DemoUser demo, List<String> roles) {
		if (demo.password() == null || demo.password().length() < 8) {
			throw new IllegalStateException(
					"the password of demo user " + demo.username() + " must be set (8+ characters)");
		}
		try {
			if (this.store.find(demo.username()) == null) {
				this.users.register(demo.username(), demo.password(), roles);
				logger.warn("Created the demo user '" + demo.username() + "' " + roles + " (local profile only)");
			}
		}
		catch (RuntimeException ex) {
			// Another auth replica created it at the same moment, or Redis is not up yet.
			logger.warn("Demo user " + demo.username() + " not created: " + ex.getMessage());
		}
	}

}
