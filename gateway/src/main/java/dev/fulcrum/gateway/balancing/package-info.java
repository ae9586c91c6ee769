/**
 * Load balancing: the instances of each upstream service ({@link Upstream}), the seven
 * strategies that pick one for a request ({@link Strategy}), and the filter that sends
 * {@code lb://service} routes to the pick and measures the answer.
 */
package dev.fulcrum.gateway.balancing;
