/**
 * Login, refresh, logout and {@code /auth/me}: the public flows of the auth-service, with
 * login throttling and the token cookies.
 */
package dev.fulcrum.auth.login;
