/**
 * What every Fulcrum service must agree on: how an instance names itself and how a
 * request is identified across processes. Kept small on purpose; see STYLE.md.
 */
package dev.fulcrum.common;
