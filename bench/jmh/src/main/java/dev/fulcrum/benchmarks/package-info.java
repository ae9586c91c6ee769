/**
 * JMH benchmarks behind the figures in {@code docs/benchmarks.md}; run them with the
 * scripts in {@code bench/}, never as tests.
 */
package dev.fulcrum.benchmarks;
