package dev.fulcrum.api.jobs;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Job submission settings ({@code fulcrum.jobs.*}).
 *
 * @param idempotencyTtl how long an idempotency key and its first response are kept
 * @param retention how long a final job (succeeded, dead, cancelled) is kept
 * @param highWatermark past this many jobs not yet final, submissions get 503
 * @param retryAfter the {@code Retry-After} of that 503
 * @param maxPayloadLength the longest payload accepted, in characters of JSON
 */
@ConfigurationProperties("fulcrum.jobs")
public record JobProperties(@DefaultValue("24h") Duration idempotencyTtl, @DefaultValue("24h") Duration retention,
		@DefaultValue("10000") long highWatermark, @DefaultValue("1s") Duration retryAfter,
		@DefaultValue("16384") int maxPayloadLength) {
}
