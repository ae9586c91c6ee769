package dev.fulcrum.load;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar load/target/load-exec.jar spike|scaling-lab|stack --option value ...}:
 * runs {@link Spike}, {@link ScalingLab} or {@link StackBench} (bench/spike.sh,
 * bench/scaling-lab.sh and bench/stack.sh).
 */
public final class Load {

	private Load() {
	}

	public static void main(String[] args) throws Exception {
		String[] rest = (args.length > 0) ? Arrays.copyOfRange(args, 1, args.length) : args;
		switch ((args.length > 0) ? args[0] : "") {
			case "spike" -> Spike.main(rest);
			case "scaling-lab" -> ScalingLab.main(rest);
			case "stack" -> StackBench.main(rest);
			default -> {
				System.err.println("usage: java -jar load-exec.jar spike|scaling-lab|stack --option value ...");
				System.exit(2);
			}
		}
	}

	/** {@code --name value} pairs, by name. */
	static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i += 2) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) {
				throw new IllegalArgumentException("expected --option value, got " + args[i]);
			}
			options.put(args[i].substring(2), args[i + 1]);
		}
		return options;
	}

	/** {@code 15s}, {@code 2m}. */
	static Duration duration(String value) {
		return Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
	}

	/** {@code 1,2,4}; empty for an empty value. */
	static List<String> list(String value) {
		return Arrays.stream(value.split(",")).map(String::strip).filter((item) -> !item.isEmpty()).toList();
	}

}
