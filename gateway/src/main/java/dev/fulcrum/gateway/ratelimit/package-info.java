/**
 * Rate limiting in Redis, shared by every gateway replica: four algorithms, each one
 * atomic Lua script, and the filter that applies a route's limit per user or client
 * address.
 */
package dev.fulcrum.gateway.ratelimit;
