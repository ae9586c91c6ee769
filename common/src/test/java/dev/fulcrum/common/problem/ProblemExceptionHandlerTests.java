package dev.fulcrum.common.problem;

import java.net.SocketException;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which of Redis's failures a servlet service answers 503 (retry), which 503
 * {@code store-full}, and which stay unexpected (500). Redis's error replies are the
 * texts Lettuce puts in its exception's message; Spring Data Redis wraps them in a
 * {@link RedisSystemException}. JobSubmissionWhenRedisBreaksTests drives the broken
 * connection through a real service and a real Redis.
 */
class ProblemExceptionHandlerTests {

	@Test
	void aConnectionBrokenUnderTheCommandIsUnavailable() {
		RedisSystemException reset = new RedisSystemException("Redis exception", new IllegalStateException(
				"java.net.SocketException: Connection reset", new SocketException("Connection reset")));
		assertThat(ProblemExceptionHandler.isUnavailable(reset)).isTrue();
		assertThat(ProblemExceptionHandler.isOutOfMemory(reset)).isFalse();
	}

	@Test
	void theRepliesOfAFailoverOrAStartAreUnavailable() {
		for (String reply : new String[] { "READONLY You can't write against a read only replica.",
				"LOADING Redis is loading the dataset in memory",
				"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
				"TRYAGAIN Multiple keys request during rehashing of slot", "CLUSTERDOWN The cluster is down" }) {
			assertThat(ProblemExceptionHandler.isUnavailable(redisSaid(reply))).as(reply).isTrue();
		}
	}

	@Test
	void aFullRedisIsStoreFullNotUnavailable() {
		RedisSystemException full = redisSaid("OOM command not allowed when used memory > 'maxmemory'.");
		assertThat(ProblemExceptionHandler.isUnavailable(full)).isFalse();
		assertThat(ProblemExceptionHandler.isOutOfMemory(full)).isTrue();
	}

	@Test
	void whatTheCommandItselfGotWrongStaysUnexpected() {
		for (String reply : new String[] { "ERR Error running script (call to f_0123): user_script:3: bad argument",
				"NOSCRIPT No matching script. Please use EVAL.",
				"WRONGTYPE Operation against a key holding the wrong kind of value",
				"NOPERM User api-service has no permissions to access the 'fulcrum:keys' key" }) {
			assertThat(ProblemExceptionHandler.isUnavailable(redisSaid(reply))).as(reply).isFalse();
			assertThat(ProblemExceptionHandler.isOutOfMemory(redisSaid(reply))).as(reply).isFalse();
		}
	}

	private static RedisSystemException redisSaid(String reply) {
		return new RedisSystemException("Error in execution", new RuntimeException(reply));
	}

}
