/**
 * Rules of HTTP the gateway's filters share (a message's body, a URI's port), written
 * once.
 */
package dev.fulcrum.gateway.http;
