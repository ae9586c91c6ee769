package dev.fulcrum.worker.queue;

import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import dev.fulcrum.common.InstanceId;
import dev.fulcrum.jobs.JobKeys;

import org.springframework.stereotype.Component;

/**
 * The span of one attempt at a job: a consumer span continuing the trace of the request
 * that submitted it, from the {@code traceparent} kept with the job. Every attempt, a
 * retry, a reclaimed job's run after its worker died and a redriven dead letter's, is one
 * more child of that submission, so that one trace shows the job's whole life across the
 * queue. The logs written while it runs carry its {@code trace.id} and {@code span.id}.
 */
@Component
class JobTracing {

	private final Tracer tracer;

	private final Propagator propagator;

	private final String instance;

	JobTracing(Tracer tracer, Propagator propagator, InstanceId instance) {
		this.tracer = tracer;
		this.propagator = propagator;
		this.instance = instance.value();
	}

	/**
	 * Runs one attempt inside its span.
	 * @param claim the job and attempt
	 * @param attempt what runs it
	 */
	void run(JobQueue.Claim claim, Runnable attempt) {
		Map<String, String> carrier = claim.traceParent().isEmpty() ? Map.of()
				: Map.of(JobKeys.TRACE_PARENT, claim.traceParent());
		Span span = this.propagator.extract(carrier, Map::get)
			.kind(Span.Kind.CONSUMER)
			.name("job " + claim.type())
			.remoteServiceName("redis")
			.tag("job.id", claim.delivery().jobId())
			.tag("job.type", claim.type())
			.tag("job.attempt", String.valueOf(claim.attempt()))
			.tag("messaging.message.id", claim.delivery().messageId())
			.tag("fulcrum.worker", this.instance)
			.start();
		try (Tracer.SpanInScope scope = this.tracer.withSpan(span)) {
			attempt.run();
		}
		catch (RuntimeException ex) {
			span.error(ex);
			throw ex;
		}
		finally {
			span.end();
		}
	}

}
