/**
 * {@code ./fulcrum}: the whole stack as separate local processes, without Docker. It
 * plans the instances ({@link dev.fulcrum.launcher.StackPlan}), starts and health-checks
 * them ({@link dev.fulcrum.launcher.Stack}), and keeps what it started in a state folder
 * so that {@code down}, {@code status} and {@code logs} find it again. New services or
 * options go into {@link dev.fulcrum.launcher.StackPlan}; nothing else needs to change.
 */
package dev.fulcrum.launcher;
