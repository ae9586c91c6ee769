/**
 * The job types of the contract: {@code echo}, {@code sleep}, {@code checksum},
 * {@code flaky}, {@code fail}.
 */
package dev.fulcrum.jobs.types;
