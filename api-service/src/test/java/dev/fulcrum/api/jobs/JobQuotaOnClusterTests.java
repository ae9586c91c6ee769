package dev.fulcrum.api.jobs;

import org.springframework.test.context.TestPropertySource;

import dev.fulcrum.testsupport.TestRedisConfiguration;

/**
 * {@link JobQuotaTests} again, on a Redis Cluster of three masters: the quota and
 * high-watermark checks of the submission script on a cluster.
 */
@TestPropertySource(properties = TestRedisConfiguration.TOPOLOGY + "=cluster")
class JobQuotaOnClusterTests extends JobQuotaTests {

}
