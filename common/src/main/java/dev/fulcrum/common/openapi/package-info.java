/**
 * The parts of the services' OpenAPI documents that every service shares: the server, the
 * token scheme and the problem responses.
 */
package dev.fulcrum.common.openapi;
