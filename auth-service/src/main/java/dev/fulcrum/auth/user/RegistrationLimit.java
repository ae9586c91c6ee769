package dev.fulcrum.auth.user;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Limits registrations per client address (each one costs a password hash), answering 429
 * past the limit. Implemented by the login throttle, which owns the counters.
 */
public interface RegistrationLimit {

	/**
	 * Counts one registration of the request's client.
	 * @param request the request
	 */
	void count(HttpServletRequest request);

}
