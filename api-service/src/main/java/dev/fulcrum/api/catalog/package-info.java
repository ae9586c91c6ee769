/**
 * {@code GET /api/catalog}: a small, read-mostly list that clients and the gateway may
 * cache ({@code Cache-Control}, {@code ETag}, {@code 304 Not Modified}).
 */
package dev.fulcrum.api.catalog;
