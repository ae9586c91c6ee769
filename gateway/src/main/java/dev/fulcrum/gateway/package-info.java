/**
 * The gateway: Fulcrum's only public entry. Each feature has its package; this one holds
 * the application and {@link dev.fulcrum.gateway.FilterOrder}, the order of the filter
 * chain, which is:
 * <table>
 * <caption>The gateway's filters, in the order a request meets them</caption>
 * <tr>
 * <th>order</th>
 * <th>filter</th>
 * <th>does</th>
 * <th>why there</th>
 * </tr>
 * <tr>
 * <td>{@code REQUEST_ID}</td>
 * <td>{@code accesslog.RequestIdWebFilter}</td>
 * <td>request id, access log line, request meter</td>
 * <td>first, so that every answer, refusals included, carries the id and is logged</td>
 * </tr>
 * <tr>
 * <td>{@code TRACING}</td>
 * <td>{@code tracing.TracingWebFilter}</td>
 * <td>the request's server span</td>
 * <td>everything after runs inside the span</td>
 * </tr>
 * <tr>
 * <td>{@code EDGE_HEADERS}</td>
 * <td>{@code edge.EdgeHeadersWebFilter}</td>
 * <td>internal headers stripped, body cap (413), security headers</td>
 * <td>before anything reads a header a client may not send</td>
 * </tr>
 * <tr>
 * <td>{@code EDGE_AUTHENTICATION}</td>
 * <td>{@code auth.EdgeAuthenticationFilter}</td>
 * <td>the access token's signature and claims (401, 403)</td>
 * <td>before routing: a refused request costs no route lookup</td>
 * </tr>
 * <tr>
 * <td>{@code EDGE_CACHE}</td>
 * <td>{@code cache.EdgeCacheFilter}</td>
 * <td>a fresh cached answer ({@code X-Cache})</td>
 * <td>the first global filter: a hit costs no limit, no Redis call and no instance</td>
 * </tr>
 * <tr>
 * <td>{@code CONCURRENCY_LIMIT}</td>
 * <td>{@code resilience.ConcurrencyLimitFilter}</td>
 * <td>the route's adaptive limit (503 {@code overloaded})</td>
 * <td>before the rate limit: a shed request costs no Redis call</td>
 * </tr>
 * <tr>
 * <td>{@code RATE_LIMIT}</td>
 * <td>{@code ratelimit.RateLimitFilter}</td>
 * <td>the client's limit in Redis (429)</td>
 * <td>after the token check, which names the user</td>
 * </tr>
 * <tr>
 * <td>{@code REVOCATION_CHECK}</td>
 * <td>{@code auth.RevocationCheckFilter}</td>
 * <td>the token's revocation, unless the rate limit looked it up (401)</td>
 * <td>after the rate limit, whose Redis call carries the lookup where there is one</td>
 * </tr>
 * <tr>
 * <td>{@code CIRCUIT_BREAKER}</td>
 * <td>{@code resilience.CircuitBreakerFilter}</td>
 * <td>the route's breaker (503 {@code circuit-open})</td>
 * <td>around balancing: a retried request counts once</td>
 * </tr>
 * <tr>
 * <td>{@code BALANCING}</td>
 * <td>{@code balancing.BalancingFilter}</td>
 * <td>the instance picked, retries on another</td>
 * <td>once the route's URL is known</td>
 * </tr>
 * <tr>
 * <td>{@code PROXY}</td>
 * <td>{@code proxy.ProxyFilter}</td>
 * <td>the request sent, the answer's status and headers taken</td>
 * <td>last, in front of Spring's routing filters</td>
 * </tr>
 * </table>
 * Errors that escape the chain become problems in {@code problem.GatewayErrorHandler},
 * ahead of Spring Boot's error handler.
 */
package dev.fulcrum.gateway;
