/** Cross-cutting wiring of the gateway: request ids and access logging. */
package dev.fulcrum.gateway.config;
