/**
 * Login, refresh, logout and the caller's own view ({@code /auth/me},
 * {@code /auth/sessions}): the public flows of the auth-service, with failed-login
 * throttling and the token cookies.
 */
package dev.fulcrum.auth.login;
