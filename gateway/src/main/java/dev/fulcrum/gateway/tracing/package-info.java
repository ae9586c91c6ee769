/**
 * Tracing at the edge: the span of each request (continuing the client's W3C trace
 * context or starting one) and a child span for each attempt at an instance, whose
 * context the proxy sends upstream as {@code traceparent}.
 */
package dev.fulcrum.gateway.tracing;
