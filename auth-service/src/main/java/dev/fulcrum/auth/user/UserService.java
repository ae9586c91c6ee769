package dev.fulcrum.auth.user;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import dev.fulcrum.common.problem.ProblemException;

import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * Registers users and checks their passwords.
 */
@Service
public class UserService {

	/** Every registered user has this role; others are granted out of band. */
	static final List<String> DEFAULT_ROLES = List.of("USER");

	private final UserStore users;

	private final PasswordEncoder passwords;

	private final Clock clock;

	/**
	 * Compared against when the user does not exist, so that both cases cost the same.
	 */
	private final String decoyHash;

	UserService(UserStore users, PasswordEncoder passwords, Clock clock) {
		this.users = users;
		this.passwords = passwords;
		this.clock = clock;
		this.decoyHash = passwords.encode(UUID.randomUUID().toString());
	}

	/**
	 * Registers a user.
	 * @param username the name
	 * @param password the password
	 * @param roles the roles
	 * @return the user
	 * @throws ProblemException 409 if the name is taken
	 */
	public User register(String username, String password, List<String> roles) {
		User user = new User(UUID.randomUUID().toString(), username, this.passwords.encode(password), roles,
				this.clock.instant());
		if (!this.users.create(user)) {
			throw new ProblemException(HttpStatus.CONFLICT, "username-taken", "Username taken",
					"The username '" + username + "' is already registered.");
		}
		return user;
	}

	/**
	 * Checks a username and password, spending the same work whether or not the user
	 * exists.
	 * @param username the name
	 * @param password the password
	 * @return the user, or {@code null} if either is wrong
	 */
	public User authenticate(String username, String password) {
		User user = this.users.find(username);
		if (user == null) {
			this.passwords.matches(password, this.decoyHash);
			return null;
		}
		return this.passwords.matches(password, user.passwordHash()) ? user : null;
	}

}
