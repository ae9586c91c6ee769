package dev.fulcrum.auth.user;

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

	private final AuthProperties.DemoUser demo;

	DemoUser(UserService users, UserStore store, AuthProperties properties) {
		this.users = users;
		this.store = store;
		this.demo = properties.demoUser();
	}

	@Override
	public void run(ApplicationArguments args) {
		if (this.demo.password() == null || this.demo.password().length() < 8) {
			throw new IllegalStateException("fulcrum.auth.demo-user.password must be set (8+ characters)");
		}
		try {
			if (this.store.find(this.demo.username()) == null) {
				this.users.register(this.demo.username(), this.demo.password(), UserService.DEFAULT_ROLES);
				logger.warn("Created the demo user '" + this.demo.username() + "' (local profile only)");
			}
		}
		catch (RuntimeException ex) {
			// Another auth replica created it at the same moment, or Redis is not up yet.
			logger.warn("Demo user not created: " + ex.getMessage());
		}
	}

}
