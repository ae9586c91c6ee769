package dev.fulcrum.common.problem;

/**
 * The {@code type} of every Fulcrum problem: {@code urn:fulcrum:problem:<slug>}, one slug
 * per kind of error, stable for clients to branch on. Free of any web stack, so that the
 * services ({@link Problems}), the gateway and the management credential check all name
 * types the same way.
 */
public final class ProblemTypes {

	/** What every problem type starts with. */
	public static final String PREFIX = "urn:fulcrum:problem:";

	private ProblemTypes() {
	}

	/**
	 * The type of a kind of error.
	 * @param slug the kind, for example {@code invalid-token}
	 * @return {@code urn:fulcrum:problem:<slug>}
	 */
	public static String of(String slug) {
		return PREFIX + slug;
	}

}
