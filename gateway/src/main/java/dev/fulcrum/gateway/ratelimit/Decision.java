package dev.fulcrum.gateway.ratelimit;

/**
 * What the limit says about one request.
 *
 * @param allowed whether it may pass
 * @param remaining requests still allowed now
 * @param retryAfterMillis when refused: how long until one would pass
 * @param resetMillis how long until the limit is fully available again
 */
public record Decision(boolean allowed, long remaining, long retryAfterMillis, long resetMillis) {
}
