/**
 * A circuit breaker per route: when a service keeps failing, the gateway answers at once
 * with a 503 problem instead of sending it more requests, and tries again later.
 */
package dev.fulcrum.gateway.resilience;
