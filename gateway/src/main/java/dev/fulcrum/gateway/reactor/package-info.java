/**
 * Reactor helpers the filters share: on which event loop an answer the gateway makes
 * itself is written.
 */
package dev.fulcrum.gateway.reactor;
