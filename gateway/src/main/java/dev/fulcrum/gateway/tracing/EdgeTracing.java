package dev.fulcrum.gateway.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import dev.fulcrum.common.RequestIds;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The gateway's spans, made with Micrometer Tracing's API directly rather than through an
 * observation per request (which cost about 5 % of the gateway's throughput, see
 * {@code application.yml}):
 * <ul>
 * <li>one server span per request, continuing the W3C trace context the client sent
 * ({@code traceparent}, {@code tracestate}) or starting a trace, named after the route
 * once it is known ({@code GET api-service});</li>
 * <li>one client span per attempt at an instance, child of the request's, tagged with the
 * instance and the attempt's number: a retried request shows each attempt and where it
 * went. Its context is what the proxy sends upstream.</li>
 * </ul>
 * Whether a trace is recorded is decided once, where it starts (the sampling probability,
 * or the sampled flag of the client's {@code traceparent}), and travels with it.
 */
@Component
public class EdgeTracing {

	private static final String SPAN = EdgeTracing.class.getName() + ".span";

	private static final String ATTEMPT = EdgeTracing.class.getName() + ".attempt";

	/** The W3C Trace Context Level 2 response header: which trace this answer is in. */
	static final String TRACE_RESPONSE = "traceresponse";

	private static final String SERVED_BY = "X-Served-By";

	private final Tracer tracer;

	private final Propagator propagator;

	EdgeTracing(Tracer tracer, Propagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	/**
	 * Starts the request's span, continuing the client's trace context if it sent one.
	 * @param exchange the request
	 * @return the span, also kept on the exchange
	 */
	Span start(ServerWebExchange exchange) {
		Span span = this.propagator.extract(exchange.getRequest().getHeaders(), HttpHeaders::getFirst)
			.kind(Span.Kind.SERVER)
			.name(exchange.getRequest().getMethod().name())
			.start();
		if (!span.isNoop()) {
			// Tags only on a span that is recorded: most are not (sampling).
			span.tag("http.request.method", exchange.getRequest().getMethod().name());
			span.tag("url.path", exchange.getRequest().getPath().value());
		}
		exchange.getAttributes().put(SPAN, span);
		return span;
	}

	/**
	 * Ends the request's span with what became of it.
	 * @param exchange the request
	 * @param span its span
	 */
	void end(ServerWebExchange exchange, Span span) {
		if (span.isNoop()) {
			span.end();
			return;
		}
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		String method = exchange.getRequest().getMethod().name();
		span.name((route != null) ? method + " " + route.getId() : method);
		if (route != null) {
			span.tag("fulcrum.route", route.getId());
		}
		String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
		if (requestId != null) {
			span.tag("fulcrum.request_id", requestId);
		}
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		if (status != null) {
			span.tag("http.response.status_code", String.valueOf(status.value()));
			if (status.is5xxServerError()) {
				span.tag("error", String.valueOf(status.value()));
			}
		}
		span.end();
	}

	/**
	 * Starts the span of one attempt at an instance; the proxy sends its context
	 * upstream.
	 * @param exchange the request
	 * @param service the service balanced over
	 * @param instance the instance picked, {@code host:port}
	 * @param number the attempt's number, from 1
	 * @return the attempt's span, or {@code null} outside a request's span
	 */
	public Span attempt(ServerWebExchange exchange, String service, String instance, int number) {
		Span parent = exchange.getAttribute(SPAN);
		if (parent == null) {
			return null;
		}
		Span span = this.tracer.spanBuilder().setParent(parent.context()).kind(Span.Kind.CLIENT).start();
		if (!span.isNoop()) {
			span.name("attempt " + service)
				.remoteServiceName(service)
				.tag("server.address", instance)
				.tag("fulcrum.attempt", String.valueOf(number));
		}
		exchange.getAttributes().put(ATTEMPT, span);
		return span;
	}

	/**
	 * Ends an attempt's span with its answer's status and the instance that answered
	 * ({@code X-Served-By}), or with why none came.
	 * @param exchange the request
	 * @param span the span, or {@code null}
	 * @param error why no answer came, or {@code null}
	 */
	public void attemptEnded(ServerWebExchange exchange, Span span, Throwable error) {
		if (span == null) {
			return;
		}
		if (span.isNoop()) {
			span.end();
			return;
		}
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		if (error != null) {
			span.error(error);
		}
		else if (status != null) {
			span.tag("http.response.status_code", String.valueOf(status.value()));
			String servedBy = exchange.getResponse().getHeaders().getFirst(SERVED_BY);
			if (servedBy != null) {
				span.tag("fulcrum.served_by", servedBy);
			}
		}
		else {
			span.tag("fulcrum.outcome", "cancelled");
		}
		span.end();
	}

	/**
	 * Writes the trace context of the current attempt (else of the request) into the
	 * headers sent upstream, replacing any the client sent.
	 * @param exchange the request
	 * @param upstream the headers sent to the instance
	 */
	public void inject(ServerWebExchange exchange, io.netty.handler.codec.http.HttpHeaders upstream) {
		Span span = exchange.getAttribute(ATTEMPT);
		if (span == null) {
			span = exchange.getAttribute(SPAN);
		}
		if (span != null) {
			this.propagator.inject(span.context(), upstream, io.netty.handler.codec.http.HttpHeaders::set);
		}
	}

	/**
	 * The request's trace context, for its access log line.
	 * @param exchange the request
	 * @return its span's context, or {@code null}
	 */
	public static TraceContext context(ServerWebExchange exchange) {
		Span span = exchange.getAttribute(SPAN);
		return (span != null) ? span.context() : null;
	}

	/**
	 * A {@code traceresponse} value for a context: {@code 00-<trace>-<span>-<flags>}.
	 * @param context the context
	 * @return the value, or {@code null} for a context without ids (tracing off)
	 */
	static String traceResponse(TraceContext context) {
		String trace = context.traceId();
		String span = context.spanId();
		if (trace == null || trace.isEmpty() || span == null || span.isEmpty()) {
			return null;
		}
		return "00-" + trace + "-" + span + (Boolean.TRUE.equals(context.sampled()) ? "-01" : "-00");
	}

}
