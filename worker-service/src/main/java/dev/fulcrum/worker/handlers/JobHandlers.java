package dev.fulcrum.worker.handlers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.fulcrum.jobs.JobTypes;

import org.springframework.stereotype.Component;

/**
 * The handlers, by job type. A worker that could not run a type the api-service accepts
 * does not start: every type of the contract has exactly one handler, and no handler runs
 * a type the contract does not list.
 */
@Component
public class JobHandlers {

	private final Map<String, JobHandler> byType;

	JobHandlers(List<JobHandler> handlers) {
		this.byType = handlers.stream().collect(Collectors.toUnmodifiableMap(JobHandler::type, Function.identity()));
		Set<String> contract = new TreeSet<>(JobTypes.names());
		if (!contract.equals(new TreeSet<>(this.byType.keySet()))) {
			throw new IllegalStateException("The job types " + contract
					+ " need one handler each; there are handlers for " + new TreeSet<>(this.byType.keySet()));
		}
	}

	/**
	 * The handler of a type.
	 * @param type the job's type
	 * @return its handler, or {@code null} for a type this worker does not know (a job
	 * submitted by a newer api-service)
	 */
	public JobHandler find(String type) {
		return (type != null) ? this.byType.get(type) : null;
	}

}
