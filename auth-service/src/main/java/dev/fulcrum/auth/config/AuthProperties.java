package dev.fulcrum.auth.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the auth-service ({@code fulcrum.auth.*}); what verifiers must agree on
 * (issuer, audience, algorithms) is under {@code fulcrum.token.*}.
 *
 * @param accessTokenTtl lifetime of an access token
 * @param signingAlgorithm {@code ES256} or {@code EdDSA}; must be one of
 * {@code fulcrum.token.algorithms}
 * @param keyRotation how long one signing key is used before a new one replaces it
 * @param keyHeartbeat how often a live instance re-announces its keys in the JWK Set
 * @param sessionIdleTimeout a session not refreshed for this long ends
 * @param sessionLifetime a session ends this long after login, refreshed or not
 * @param refreshGrace a refresh token presented again this soon after its rotation (two
 * tabs refreshing at once) is refused without revoking the session
 * @param throttle failed-login limits
 * @param password password hashing cost
 * @param cookieSecure whether the cookies carry {@code Secure} (off only in the local
 * profile, for plain http on localhost)
 * @param demoUser a user created at start-up, for the local profile only
 * @param maxSessionsPerUser live sessions a user may have; a login past it ends the
 * user's oldest session
 */
@ConfigurationProperties("fulcrum.auth")
public record AuthProperties(@DefaultValue("15m") Duration accessTokenTtl,
		@DefaultValue("ES256") String signingAlgorithm, @DefaultValue("24h") Duration keyRotation,
		@DefaultValue("1m") Duration keyHeartbeat, @DefaultValue("24h") Duration sessionIdleTimeout,
		@DefaultValue("7d") Duration sessionLifetime, @DefaultValue("10s") Duration refreshGrace,
		@DefaultValue Throttle throttle, @DefaultValue Password password, @DefaultValue("true") boolean cookieSecure,
		@DefaultValue DemoUser demoUser, @DefaultValue DemoUser demoAdmin, @DefaultValue("20") int maxSessionsPerUser) {

	/**
	 * Login attempts that may fail per window, and registrations per window.
	 *
	 * @param window the fixed window that attempts are counted in
	 * @param perUsernameAndAddress failures of one username from one address
	 * @param perUsername failures of one username from addresses where it has not logged
	 * in lately: a ceiling, high so that strangers cannot lock the user out
	 * @param perAddress failures from one address, any username
	 * @param registrationsPerAddress registrations from one address
	 * @param knownAddressTtl how long an address where a user logged in stays exempt from
	 * the per-username ceiling
	 */
	public record Throttle(@DefaultValue("15m") Duration window, @DefaultValue("5") int perUsernameAndAddress,
			@DefaultValue("1000") int perUsername, @DefaultValue("20") int perAddress,
			@DefaultValue("20") int registrationsPerAddress, @DefaultValue("30d") Duration knownAddressTtl) {
	}

	/**
	 * Argon2id cost. The defaults are Spring Security's (16 MiB, 2 iterations).
	 *
	 * @param memoryKib memory per hash, in KiB
	 * @param iterations passes over that memory
	 * @param concurrentHashes hashes computed at once; more wait, so that a burst of
	 * logins cannot exhaust the heap
	 * @param queueTimeout how long a login waits for a free hash before it is answered
	 * 503
	 */
	public record Password(@DefaultValue("16384") int memoryKib, @DefaultValue("2") int iterations,
			@DefaultValue("4") int concurrentHashes, @DefaultValue("5s") Duration queueTimeout) {
	}

	/**
	 * A user created at start-up if absent. For the local profile only: its password is
	 * in the repository.
	 *
	 * @param enabled whether to create it
	 * @param username its name
	 * @param password its password
	 */
	public record DemoUser(@DefaultValue("false") boolean enabled, @DefaultValue("demo") String username,
			String password) {
	}

}
