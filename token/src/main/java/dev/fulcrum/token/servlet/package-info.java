/**
 * Token authentication for the servlet services (auth-service, api-service) on Spring
 * Security: {@link dev.fulcrum.token.servlet.AccessTokenSecurity} wires the filter, the
 * problem responses for 401/403/503 and the cookie CSRF check into a service's
 * {@code SecurityFilterChain}.
 */
package dev.fulcrum.token.servlet;
