/**
 * The last hop: the request sent to the instance balancing picked, with the headers a
 * proxy owes the service, and the answer's status and headers handed back to the
 * exchange.
 */
package dev.fulcrum.gateway.proxy;
