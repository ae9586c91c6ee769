/**
 * The edge cache: responses the service marks cacheable ({@code Cache-Control}) are kept
 * in the gateway's memory and served from there while fresh, with
 * {@code X-Cache: HIT|MISS}.
 */
package dev.fulcrum.gateway.cache;
