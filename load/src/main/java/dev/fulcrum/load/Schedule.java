package dev.fulcrum.load;

import java.time.Duration;
import java.util.List;

/**
 * The arrival rate over time: phases one after the other, each at a constant rate.
 *
 * @param phases the phases, in order
 */
public record Schedule(List<Phase> phases) {

	public Schedule {
		phases = List.copyOf(phases);
		if (phases.isEmpty()) {
			throw new IllegalArgumentException("a schedule needs a phase");
		}
	}

	/** The whole run. */
	public Duration total() {
		return this.phases.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
	}

	/**
	 * The phase at a time from the start, or the last one past the end.
	 * @param elapsedNanos the time from the start
	 * @return the phase
	 */
	public Phase at(long elapsedNanos) {
		long start = 0;
		for (Phase phase : this.phases) {
			start += phase.duration().toNanos();
			if (elapsedNanos < start) {
				return phase;
			}
		}
		return this.phases.getLast();
	}

	/**
	 * When a phase starts, from the start of the run.
	 * @param name the phase's name
	 * @return its start
	 */
	public Duration start(String name) {
		Duration start = Duration.ZERO;
		for (Phase phase : this.phases) {
			if (phase.name().equals(name)) {
				return start;
			}
			start = start.plus(phase.duration());
		}
		throw new IllegalArgumentException("no phase " + name);
	}

	/**
	 * A stretch of constant rate.
	 *
	 * @param name what it is, for reports ({@code base}, {@code spike})
	 * @param duration how long
	 * @param rate requests a second
	 */
	public record Phase(String name, Duration duration, double rate) {

		public Phase {
			if (rate <= 0 || duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException("a phase needs a positive rate and duration");
			}
		}

	}

}
