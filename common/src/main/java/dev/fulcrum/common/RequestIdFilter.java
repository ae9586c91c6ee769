package dev.fulcrum.common;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request of a servlet service its request id (echoed when valid, else
 * generated), puts it in the logging context for the request's lifetime, and stamps each
 * response with the id and with {@code X-Served-By}, so that a client can see which
 * instance answered.
 */
class RequestIdFilter extends OncePerRequestFilter {

	static final String SERVED_BY_HEADER = "X-Served-By";

	private final InstanceId instanceId;

	RequestIdFilter(InstanceId instanceId) {
		this.instanceId = instanceId;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String requestId = RequestIds.acceptOrGenerate(request.getHeader(RequestIds.HEADER));
		response.setHeader(RequestIds.HEADER, requestId);
		response.setHeader(SERVED_BY_HEADER, this.instanceId.value());
		try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.MDC_KEY, requestId)) {
			chain.doFilter(request, response);
		}
	}

}
