/**
 * Where requests go: the instances of each upstream service, as seen by Spring Cloud
 * LoadBalancer. Routes themselves are declared in {@code application.yml}.
 */
package dev.fulcrum.gateway.routing;
