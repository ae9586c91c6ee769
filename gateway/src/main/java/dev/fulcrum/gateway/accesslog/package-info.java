/**
 * Every request the public port answers, recorded: its request id (taken from the client
 * or made), its access log line and its place in the edge's request meter.
 */
package dev.fulcrum.gateway.accesslog;
