/**
 * System tests: the real stack, started through {@code ./fulcrum} on free ports in a
 * state folder of their own, so they never clash with a stack a developer has running.
 * Each test class starts one stack and stops it; later scenarios (auth, jobs, failures)
 * add classes here.
 */
package dev.fulcrum.system;
