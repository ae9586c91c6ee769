/**
 * Users: registration and the user records in Redis, one hash per user, keyed by the
 * lower-cased username (names are unique regardless of case).
 */
package dev.fulcrum.auth.user;
