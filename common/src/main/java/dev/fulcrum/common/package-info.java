/**
 * What every Fulcrum service must agree on: how an instance names itself and how a
 * request is identified across processes. Kept small on purpose: only what two services
 * must agree on (docs/design.md).
 */
package dev.fulcrum.common;
