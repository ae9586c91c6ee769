package dev.fulcrum.common.problem;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * An error that a controller or service raises on purpose, answered as its problem with
 * any extra headers ({@code Retry-After}, {@code WWW-Authenticate}).
 */
public class ProblemException extends ErrorResponseException {

	/**
	 * Creates the exception.
	 * @param status the status
	 * @param slug the kind of error
	 * @param title a short summary of the kind
	 * @param detail what went wrong
	 */
	public ProblemException(HttpStatus status, String slug, String title, String detail) {
		super(status, Problems.of(status, slug, title, detail), null);
	}

	/**
	 * Adds a response header.
	 * @param name the header
	 * @param value its value
	 * @return this exception
	 */
	public ProblemException withHeader(String name, String value) {
		getHeaders().add(name, value);
		return this;
	}

}
