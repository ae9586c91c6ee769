/**
 * Per route, what keeps a struggling service answerable: a circuit breaker (when a
 * service keeps failing, the gateway answers at once with a 503 problem instead of
 * sending it more requests, and tries again later) and an adaptive concurrency limit
 * (offered more than it serves quickly, the route sheds the excess at once with a 503
 * problem instead of letting every request queue).
 */
package dev.fulcrum.gateway.resilience;
