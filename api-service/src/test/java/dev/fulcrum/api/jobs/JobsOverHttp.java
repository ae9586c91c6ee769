package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestTokenIssuer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the tests of {@code /api/jobs} over real HTTP share: an issuer of test tokens
 * whose JWK Set the api-service trusts, started for each test class (a subclass runs a
 * class's tests again, on a cluster for example), the server's port, Redis, and a few
 * requests.
 */
abstract class JobsOverHttp {

	static TestTokenIssuer issuer;

	@LocalServerPort
	int port;

	@Autowired
	StringRedisTemplate redis;

	@DynamicPropertySource
	static void jwks(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.token.jwks-uri", () -> issuer.jwksUri());
	}

	@BeforeAll
	static void startIssuer() {
		issuer = new TestTokenIssuer();
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	/**
	 * {@code POST /api/jobs} with a body as it is written.
	 * @param token an access token
	 * @param body the JSON, as sent
	 * @param headers more headers, name and value
	 * @return the answer
	 */
	HttpResponse<String> postJob(String token, String body, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Authorization";
		all[1] = "Bearer " + token;
		System.arraycopy(headers, 0, all, 2, headers.length);
		return TestHttp.post(url("/api/jobs"), body, all);
	}

	/** The first shard's stream's length. */
	long streamLength() {
		Long length = this.redis.opsForStream().size(JobKeys.stream());
		return (length != null) ? length : 0;
	}

}
