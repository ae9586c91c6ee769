package dev.fulcrum.auth;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Counts password checks, to prove that a login for an unknown user costs the same hash
 * as one with a wrong password (a timing test would be flaky; a count cannot be).
 */
final class CountingPasswordEncoder implements PasswordEncoder {

	static final AtomicInteger checks = new AtomicInteger();

	private final PasswordEncoder delegate;

	private CountingPasswordEncoder(PasswordEncoder delegate) {
		this.delegate = delegate;
	}

	@Override
	public String encode(CharSequence rawPassword) {
		return this.delegate.encode(rawPassword);
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		checks.incrementAndGet();
		return this.delegate.matches(rawPassword, encodedPassword);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Configuration {

		@Bean
		static BeanPostProcessor countingPasswordEncoder() {
			return new BeanPostProcessor() {
				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					return (bean instanceof PasswordEncoder encoder) ? new CountingPasswordEncoder(encoder) : bean;
				}
			};
		}

	}

}
