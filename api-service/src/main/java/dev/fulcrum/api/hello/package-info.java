/**
 * The thinnest slice through the platform: a public greeting that names the instance that
 * served it, so a user can watch the gateway balance requests.
 */
package dev.fulcrum.api.hello;
