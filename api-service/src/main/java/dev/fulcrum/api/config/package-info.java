/**
 * Cross-cutting wiring of the api-service: which endpoints are public and which need a
 * token.
 */
package dev.fulcrum.api.config;
