/**
 * Edge authentication: which requests need an access token at the gateway
 * ({@link dev.fulcrum.gateway.auth.EdgeAuthProperties}), and the filter that checks it
 * with the shared {@code dev.fulcrum.token} verifier before anything is routed. The
 * gateway only refuses; it passes accepted requests on unchanged, and the services verify
 * the token again.
 */
package dev.fulcrum.gateway.auth;
