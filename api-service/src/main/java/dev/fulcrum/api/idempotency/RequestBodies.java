package dev.fulcrum.api.idempotency;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.problem.ProblemException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingRequestWrapper;
import org.springframework.web.util.WebUtils;

/**
 * Keeps the body of a request whose key {@code content} mode will derive (a route in that
 * mode, no {@code Idempotency-Key}), as the route reads it, so that the key covers the
 * body exactly as sent, members the route ignores included. Up to {@value #LIMIT} bytes:
 * past that, such a request is a 413 and the client should send a key. Every other
 * request passes untouched.
 */
@Component
public class RequestBodies extends OncePerRequestFilter {

	/** The largest body a key is derived from, in bytes. */
	static final int LIMIT = 64 * 1024;

	private final IdempotencyProperties properties;

	RequestBodies(IdempotencyProperties properties) {
		this.properties = properties;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		// Every request passes here: the cheapest tests first, nothing built for a GET.
		if (!"POST".equals(request.getMethod())) {
			return true;
		}
		String key = request.getHeader("Idempotency-Key");
		if (key != null && !key.isEmpty()) {
			return true;
		}
		String route = "POST " + request.getRequestURI();
		for (Map.Entry<String, String> known : Idempotency.ROUTES.entrySet()) {
			if (known.getValue().equals(route)) {
				return this.properties.route(known.getKey()).mode() != IdempotencyMode.CONTENT;
			}
		}
		return true;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new Kept(request), response);
	}

	/**
	 * The body of a request this filter kept, as JSON.
	 * @param request the request
	 * @param json reads it
	 * @return its body
	 * @throws ProblemException 413 if it is longer than {@value #LIMIT} bytes
	 */
	public static JsonNode of(HttpServletRequest request, JsonMapper json) {
		Kept kept = WebUtils.getNativeRequest(request, Kept.class);
		if (kept == null) {
			throw new IllegalStateException("the body of " + request.getRequestURI() + " was not kept");
		}
		if (kept.overflowed) {
			throw new ProblemException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
					"Without an Idempotency-Key the key is derived from the body, which may then be at most " + LIMIT
							+ " bytes; send an Idempotency-Key.");
		}
		return json.readTree(kept.getContentAsByteArray());
	}

	private static final class Kept extends ContentCachingRequestWrapper {

		private volatile boolean overflowed;

		Kept(HttpServletRequest request) {
			super(request, LIMIT);
		}

		@Override
		protected void handleContentOverflow(int contentCacheLimit) {
			this.overflowed = true;
		}

	}

}
