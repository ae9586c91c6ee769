/**
 * What the live dashboard shows, sampled once a second from the balancer, the meters and
 * the job queue; its page and routes are in {@link dev.fulcrum.dashboard}, on the
 * management port only.
 */
package dev.fulcrum.gateway.dashboard;
