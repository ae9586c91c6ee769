/**
 * The live dashboard's routes, loaded into the management port's own context only
 * ({@code META-INF/spring/...ManagementContextConfiguration.imports}): this package lies
 * outside the gateway's component scan ({@code dev.fulcrum.gateway}), which would
 * otherwise put the page on the public port as well. What the page shows is sampled in
 * {@link dev.fulcrum.gateway.dashboard}.
 */
package dev.fulcrum.dashboard;
