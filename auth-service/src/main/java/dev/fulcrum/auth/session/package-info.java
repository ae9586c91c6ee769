/**
 * Sessions in Redis: one per login, with its refresh token (stored only as a hash,
 * rotated on every use, reuse detected), idle timeout and absolute lifetime, an index per
 * user, and revocation through the shared revocation list.
 */
package dev.fulcrum.auth.session;
