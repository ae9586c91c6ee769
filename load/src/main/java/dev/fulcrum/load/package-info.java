/**
 * Load for a running Fulcrum stack, as its users send it: an open-model generator (a
 * request is sent when its time comes, however slow the last answers were, so that a slow
 * stack does not slow the load down), Fulcrum's request mix over many users, the
 * autoscaling spike, and the charts they draw. Requests go only to the gateway URL given.
 */
package dev.fulcrum.load;
