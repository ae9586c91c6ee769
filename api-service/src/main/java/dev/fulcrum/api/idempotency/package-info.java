/**
 * Idempotency keys three ways, one mode per route: {@code required} (the client sends a
 * key), {@code content} (without one, the server derives it from the request's content,
 * valid for a window) and {@code optional} (without one, no deduplication); with the
 * meters of the records they leave in Redis. docs/jobs.md#idempotency-modes.
 */
package dev.fulcrum.api.idempotency;
