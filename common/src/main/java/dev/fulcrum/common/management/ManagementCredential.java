package dev.fulcrum.common.management;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.fulcrum.common.problem.ProblemTypes;

/**
 * The credential of state-changing management endpoints ({@code MANAGEMENT_TOKEN},
 * {@code fulcrum.management.token}): switching the gateway's balancing strategy,
 * injecting faults into an api-service. Reading ({@code GET}, {@code HEAD}) stays open on
 * the management port, which is never public; anything else needs
 * {@code Authorization: Bearer <token>}. Without a token configured, writes are refused
 * altogether.
 */
public final class ManagementCredential {

	/** Where a token is looked for. */
	public static final String PROPERTY = "fulcrum.management.token";

	private static final String BEARER = "Bearer ";

	private final byte[] token;

	/**
	 * The credential.
	 * @param token the token, or empty for none (writes refused)
	 */
	public ManagementCredential(String token) {
		this.token = token.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * What a request gets.
	 * @param method its method
	 * @param path its path
	 * @param basePath the actuator's base path, such as {@code /actuator}
	 * @param authorization its {@code Authorization} header, or {@code null}
	 * @return the refusal, or {@code null} to let it through
	 */
	public Refusal check(String method, String path, String basePath, String authorization) {
		if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)
				|| !(path.equals(basePath) || path.startsWith(basePath + "/"))) {
			return null;
		}
		if (this.token.length == 0) {
			return new Refusal(403, "management-writes-disabled", "Management writes disabled",
					"No management token is configured (MANAGEMENT_TOKEN), so nothing may change state here.");
		}
		if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()) && MessageDigest
			.isEqual(this.token, authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8))) {
			return null;
		}
		return new Refusal(401, "management-credential-required", "Management credential required",
				"Changing state on the management port needs Authorization: Bearer <MANAGEMENT_TOKEN>.");
	}

	/**
	 * A refused management write.
	 *
	 * @param status 401 or 403
	 * @param slug the problem's kind
	 * @param title its title
	 * @param detail what to do
	 */
	public record Refusal(int status, String slug, String title, String detail) {

		/**
		 * The problem, as JSON. Written here, not with {@code Problems}: that class is
		 * bound to the servlet API, which the reactive gateway does not have. Every
		 * member but {@code instance} is a constant of this class, without characters to
		 * escape; the path is cut to URL-safe characters.
		 * @param instance the request's path
		 * @return the body
		 */
		public String json(String instance) {
			return "{\"type\":\"" + ProblemTypes.of(this.slug) + "\",\"title\":\"" + this.title + "\",\"status\":"
					+ this.status + ",\"detail\":\"" + this.detail + "\",\"instance\":\""
					+ instance.replaceAll("[^A-Za-z0-9/._~-]", "") + "\"}";
		}

	}

}
