package dev.fulcrum.api.faults;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.fulcrum.common.problem.Problems;

import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies the current {@link Faults} to every {@code /api/**} request: the delay, then
 * maybe a 503 problem ({@code injected-fault}) instead of the answer.
 */
class FaultsFilter extends OncePerRequestFilter {

	private volatile Faults faults = Faults.NONE;

	Faults faults() {
		return this.faults;
	}

	void set(Faults faults) {
		this.faults = faults;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith("/api/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Faults current = this.faults;
		if (current.delayMillis() > 0) {
			try {
				Thread.sleep(Duration.ofMillis(current.delayMillis()));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (current.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < current.failureRate()) {
			Problems.write(response, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "injected-fault", "Injected fault",
					"This instance was told to fail this share of requests: " + current.failureRate() + "."));
			return;
		}
		chain.doFilter(request, response);
	}

}
