/**
 * Helpers for the services that keep their state in Redis.
 */
package dev.fulcrum.common.redis;
