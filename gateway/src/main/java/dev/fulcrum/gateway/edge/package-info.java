/**
 * The public port's first line: who the client is behind trusted proxies
 * ({@link dev.fulcrum.gateway.edge.ClientAddresses}), the internal headers a client may
 * not send, the cap on a request's body and the security headers of every answer.
 */
package dev.fulcrum.gateway.edge;
