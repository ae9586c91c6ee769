package dev.fulcrum.launcher;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the supervisor scales, and on what ({@code ./fulcrum up --autoscale}): the
 * api-service on the CPU its instances use, the worker-service on the job queue's lag,
 * each with the semantics of a Kubernetes HorizontalPodAutoscaler
 * ({@link HorizontalAutoscaler}). The targets and windows come from the environment, so
 * that a demo or a test can make them short:
 * <ul>
 * <li>{@code FULCRUM_AUTOSCALE_CPU_TARGET}: cores per api-service instance (0.5: a
 * Kubernetes CPU request of one core at a 50 % utilisation target);</li>
 * <li>{@code FULCRUM_AUTOSCALE_LAG_TARGET}: jobs waiting per worker (16: two rounds of a
 * worker's 8 slots, as KEDA's {@code lagCount} in k8s/);</li>
 * <li>{@code FULCRUM_AUTOSCALE_PERIOD}: how often it decides (15s, the HPA's sync
 * period);</li>
 * <li>{@code FULCRUM_AUTOSCALE_DOWN_WINDOW}: the scale-down stabilization window (60s;
 * Kubernetes' default is 300s, long for a demo on one machine).</li>
 * </ul>
 *
 * @param enabled whether the supervisor scales at all (it always restarts what dies)
 * @param period how often it decides
 * @param cpuTarget cores per api-service instance
 * @param lagTarget jobs waiting per worker
 * @param maxApi the most api-service instances
 * @param maxWorkers the most worker-service instances
 * @param downWindow the scale-down stabilization window
 */
record Autoscaling(boolean enabled, Duration period, double cpuTarget, double lagTarget, int maxApi, int maxWorkers,
		Duration downWindow) {

	static final String API = "api-service";

	static final String WORKER = "worker-service";

	/** The services it scales. */
	static final List<String> SERVICES = List.of(API, WORKER);

	static Autoscaling off() {
		return new Autoscaling(false, Duration.ofSeconds(15), 0.5, 100, 1, 1, Duration.ofSeconds(60));
	}

	/**
	 * The settings of an {@code up}.
	 * @param options the command line
	 * @param environment the launcher's environment
	 * @return the settings
	 * @throws LauncherException for a malformed setting
	 */
	static Autoscaling of(Options options, Map<String, String> environment) {
		if (!options.autoscale()) {
			return off();
		}
		return new Autoscaling(true, duration(environment, "FULCRUM_AUTOSCALE_PERIOD", "15s"),
				number(environment, "FULCRUM_AUTOSCALE_CPU_TARGET", 0.5),
				number(environment, "FULCRUM_AUTOSCALE_LAG_TARGET", 16), options.maxApi(), options.maxWorkers(),
				duration(environment, "FULCRUM_AUTOSCALE_DOWN_WINDOW", "60s"));
	}

	/**
	 * The policy of a scaled service.
	 * @param service {@link #API} or {@link #WORKER}
	 * @return its policy
	 */
	HorizontalAutoscaler.Policy policy(String service) {
		HorizontalAutoscaler.Policy policy = switch (service) {
			case API -> HorizontalAutoscaler.Policy.of("cpu", this.cpuTarget, 1, this.maxApi);
			case WORKER -> HorizontalAutoscaler.Policy.of("queue lag", this.lagTarget, 1, this.maxWorkers);
			default -> throw new IllegalArgumentException("not scaled: " + service);
		};
		return policy.withWindows(Duration.ZERO, this.downWindow);
	}

	/**
	 * The CPU of a service as the HPA's replica calculator totals it: the cores its ready
	 * instances with a sample of the last period used; each ready instance without one
	 * (new, or restarted) counts as at the target when the others are below it (it must
	 * not push the count down) and as idle when they are above it (its JVM's start-up
	 * burst is not load). Instances not ready are left out by the caller.
	 * @param cores the cores the measured instances used
	 * @param measured how many were measured
	 * @param missing how many are ready without a sample
	 * @param target the target per instance
	 * @return the total, or empty when none was measured
	 */
	static OptionalDouble cpuTotal(double cores, int measured, int missing, double target) {
		if (measured == 0) {
			return OptionalDouble.empty();
		}
		boolean below = cores / measured < target;
		return OptionalDouble.of(below ? cores + missing * target : cores);
	}

	private static double number(Map<String, String> environment, String name, double fallback) {
		String value = environment.get(name);
		if (value == null || value.isBlank()) {
			return fallback;
		}
		try {
			double number = Double.parseDouble(value.strip());
			if (number > 0 && Double.isFinite(number)) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw LauncherException.usage(name + " takes a positive number, not '" + value + "'");
	}

	private static Duration duration(Map<String, String> environment, String name, String fallback) {
		String value = environment.getOrDefault(name, fallback).strip();
		try {
			Duration duration = Duration.parse("PT" + value.toUpperCase(java.util.Locale.ROOT));
			if (!duration.isNegative() && !duration.isZero() || name.endsWith("WINDOW") && duration.isZero()) {
				return duration;
			}
		}
		catch (DateTimeParseException ex) {
			// reported below
		}
		throw LauncherException.usage(name + " takes a duration such as 15s or 2m, not '" + value + "'");
	}

}
