/**
 * {@code GET /api/work?ms=N}: simulated work on one instance, for comparing balancing
 * strategies.
 */
package dev.fulcrum.api.work;
