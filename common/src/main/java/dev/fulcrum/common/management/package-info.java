/**
 * The management port's rule: reading is open, changing state needs the management
 * credential.
 */
package dev.fulcrum.common.management;
