/**
 * Errors that the gateway answers itself, before or instead of an upstream: RFC 9457
 * {@code application/problem+json}, in the same format as the services.
 */
package dev.fulcrum.gateway.problem;
