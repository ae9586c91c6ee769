/**
 * Cross-cutting wiring of the auth-service: settings, security rules, password hashing,
 * Redis scripts.
 */
package dev.fulcrum.auth.config;
