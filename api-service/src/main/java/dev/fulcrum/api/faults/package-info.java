/**
 * Faults on purpose, to watch the gateway route around a slow or failing instance: off
 * unless {@code fulcrum.faults.enabled} (the local profile turns it on), and switched
 * only on the management port.
 */
package dev.fulcrum.api.faults;
