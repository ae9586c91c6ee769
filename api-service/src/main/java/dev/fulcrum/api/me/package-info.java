/**
 * {@code GET /api/me}: who the caller is, as this instance verified it.
 */
package dev.fulcrum.api.me;
