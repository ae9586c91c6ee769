package dev.fulcrum.auth.config;

import java.util.concurrent.Semaphore;

import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Limits how many (memory-hard) hashes run at once; callers beyond the limit wait. On
 * virtual threads a waiting login costs no platform thread.
 */
final class BoundedPasswordEncoder implements PasswordEncoder {

	private final PasswordEncoder delegate;

	private final Semaphore permits;

	BoundedPasswordEncoder(PasswordEncoder delegate, Semaphore permits) {
		this.delegate = delegate;
		this.permits = permits;
	}

	@Override
	public String encode(CharSequence rawPassword) {
		this.permits.acquireUninterruptibly();
		try {
			return this.delegate.encode(rawPassword);
		}
		finally {
			this.permits.release();
		}
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		this.permits.acquireUninterruptibly();
		try {
			return this.delegate.matches(rawPassword, encodedPassword);
		}
		finally {
			this.permits.release();
		}
	}

	@Override
	public boolean upgradeEncoding(String encodedPassword) {
		return this.delegate.upgradeEncoding(encodedPassword);
	}

}
