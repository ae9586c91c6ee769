/**
 * Log lines every service writes alike: ECS JSON, cheap enough for an access log line per
 * request.
 */
package dev.fulcrum.common.logging;
