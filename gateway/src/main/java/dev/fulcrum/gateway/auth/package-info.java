/**
 * Edge authentication: which requests need an access token at the gateway
 * ({@link dev.fulcrum.gateway.auth.EdgeAuthProperties}), and the filter that checks its
 * signature and claims with the shared {@code dev.fulcrum.token} verifier before anything
 * is routed. Its revocation lookup is
 * {@linkplain dev.fulcrum.gateway.auth.PendingRevocation made later}, beside the rate
 * limit's Redis call where there is one, and always before a service's data is sent. The
 * gateway only refuses; it passes accepted requests on unchanged, and the services verify
 * the token again.
 */
package dev.fulcrum.gateway.auth;
