/**
 * Cross-cutting wiring of the auth-service: settings, security rules, password hashing.
 */
package dev.fulcrum.auth.config;
