package dev.fulcrum.launcher;

/**
 * A reason to stop, told to the user in one line.
 */
class LauncherException extends RuntimeException {

	private final int exitCode;

	LauncherException(String message, int exitCode) {
		super(message);
		this.exitCode = exitCode;
	}

	/** Wrong input: an unknown command or option, or a value out of range. */
	static LauncherException usage(String message) {
		return new LauncherException(message + " (see ./fulcrum help)", 2);
	}

	/** The stack cannot start or stop as asked. */
	static LauncherException failure(String message) {
		return new LauncherException(message, 1);
	}

	int exitCode() {
		return this.exitCode;
	}

}
