/**
 * The error format of every Fulcrum service: RFC 9457 {@code application/problem+json}
 * with {@code type}, {@code title}, {@code status}, {@code detail} and the
 * {@code requestId}; field errors list each field. Never a stack trace.
 */
package dev.fulcrum.common.problem;
