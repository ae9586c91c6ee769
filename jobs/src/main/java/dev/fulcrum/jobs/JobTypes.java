package dev.fulcrum.jobs;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.fulcrum.jobs.types.ChecksumJob;
import dev.fulcrum.jobs.types.EchoJob;
import dev.fulcrum.jobs.types.FailJob;
import dev.fulcrum.jobs.types.FlakyJob;
import dev.fulcrum.jobs.types.SleepJob;

/**
 * Every job type Fulcrum knows, by name.
 */
public final class JobTypes {

	private static final Map<String, JobType> TYPES = List
		.of(new EchoJob(), new SleepJob(), new ChecksumJob(), new FlakyJob(), new FailJob())
		.stream()
		.collect(Collectors.toUnmodifiableMap(JobType::name, Function.identity()));

	private JobTypes() {
	}

	/**
	 * Finds a type.
	 * @param name the name
	 * @return the type, or {@code null} if there is none of that name
	 */
	public static JobType find(String name) {
		return (name != null) ? TYPES.get(name) : null;
	}

	/**
	 * The names of all types, for error messages.
	 * @return the names, sorted
	 */
	public static List<String> names() {
		return TYPES.keySet().stream().sorted().toList();
	}

}
