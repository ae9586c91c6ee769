package dev.fulcrum.auth.config;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.common.problem.ProblemException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Limits how many (memory-hard) hashes run at once; callers beyond the limit wait, up to
 * a timeout. On virtual threads a waiting login costs no platform thread.
 */
final class BoundedPasswordEncoder implements PasswordEncoder {

	private final PasswordEncoder delegate;

	private final Semaphore permits;

	private final Duration queueTimeout;

	BoundedPasswordEncoder(PasswordEncoder delegate, Semaphore permits, Duration queueTimeout) {
		this.delegate = delegate;
		this.permits = permits;
		this.queueTimeout = queueTimeout;
	}

	@Override
	public String encode(CharSequence rawPassword) {
		acquire();
		try {
			return this.delegate.encode(rawPassword);
		}
		finally {
			this.permits.release();
		}
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		acquire();
		try {
			return this.delegate.matches(rawPassword, encodedPassword);
		}
		finally {
			this.permits.release();
		}
	}

	/** Waits for a free hash, but not forever: a flood gets 503s, not a hang. */
	private void acquire() {
		boolean acquired;
		try {
			acquired = this.permits.tryAcquire(this.queueTimeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			acquired = false;
		}
		if (!acquired) {
			throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "busy", "Too busy",
					"Too many password checks are waiting; retry shortly.")
				.withHeader(HttpHeaders.RETRY_AFTER, "1");
		}
	}

	@Override
	public boolean upgradeEncoding(String encodedPassword) {
		return this.delegate.upgradeEncoding(encodedPassword);
	}

}
