package dev.fulcrum.gateway.cache;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The edge cache in front of one real backend whose caching headers each test sets. Every
 * test uses its own query string, so its own cache key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.enabled=false",
				"fulcrum.gateway.balancing.health.interval=1h",
				"fulcrum.gateway.auth.public-paths=GET /api/catalog,POST /api/catalog,GET /api/hello" })
@Import(TestRedisConfiguration.class)
class EdgeCacheTests {

	static final TestBackend backend = new TestBackend("b1");

	static final AtomicInteger keys = new AtomicInteger();

	@LocalServerPort
	int port;

	String url;

	@DynamicPropertySource
	static void oneInstance(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", backend::url);
	}

	@BeforeEach
	void freshKeyAndBackend() {
		backend.reset();
		this.url = "http://localhost:" + this.port + "/api/catalog?test=" + keys.incrementAndGet();
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void keepsAPublicResponseAndServesItWithoutTheService() {
		cacheable("public, max-age=60");
		HttpResponse<String> first = TestHttp.get(this.url);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");

		HttpResponse<String> second = TestHttp.get(this.url);
		assertThat(second.statusCode()).isEqualTo(200);
		assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(second.headers().firstValue("ETag")).hasValue("\"v1\"");
		assertThat(second.headers().firstValue("Cache-Control")).hasValue("public, max-age=60");
		assertThat(second.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(second.headers().firstValue("Age")).hasValueSatisfying((age) -> assertThat(age).matches("[01]"));
		assertThat(second.headers().firstValue("X-Request-Id")).as("per request, not replayed")
			.isNotEqualTo(first.headers().firstValue("X-Request-Id"));
		assertThat(backend.received("GET")).isEqualTo(1);
	}

	@Test
	void answersAMatchingIfNoneMatchWith304FromTheEdge() {
		cacheable("public, max-age=60");
		TestHttp.get(this.url);
		HttpResponse<String> notModified = TestHttp.get(this.url, "If-None-Match", "W/\"v0\", \"v1\"");
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.body()).isEmpty();
		assertThat(notModified.headers().firstValue("ETag")).hasValue("\"v1\"");
		assertThat(notModified.headers().firstValue("X-Cache")).hasValue("HIT");
		assertThat(TestHttp.get(this.url, "If-None-Match", "\"v0\"").statusCode()).isEqualTo(200);
		assertThat(backend.received("GET")).isEqualTo(1);
	}

	@Test
	void goesBackToTheServiceWhenTheCopyIsStale() {
		cacheable("public, max-age=1");
		TestHttp.get(this.url);
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).hasValue("HIT");
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> "MISS".equals(TestHttp.get(this.url).headers().firstValue("X-Cache").orElseThrow()));
		assertThat(backend.received("GET")).isEqualTo(2);
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).as("kept again").hasValue("HIT");
	}

	@Test
	void keepsNothingTheServiceDoesNotAllowASharedCacheToKeep() {
		for (String cacheControl : new String[] { "no-store", "private, max-age=60", "no-cache", "max-age=0" }) {
			backend.reset();
			cacheable(cacheControl);
			TestHttp.get(this.url);
			assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).as(cacheControl).hasValue("MISS");
			assertThat(backend.received("GET")).as(cacheControl).isEqualTo(2);
		}
		backend.reset();
		cacheable("public, max-age=60");
		backend.headers.put("Set-Cookie", "session=abc");
		TestHttp.get(this.url);
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).as("Set-Cookie").hasValue("MISS");
	}

	@Test
	void keepsAResponseToAnAuthorizedRequestOnlyWhenItIsPublic() {
		cacheable("max-age=60");
		TestHttp.get(this.url, "Authorization", "Bearer anything");
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).hasValue("MISS");
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).as("kept from the anonymous request")
			.hasValue("HIT");
	}

	@Test
	void aClientsNoCacheGoesToTheServiceAndRefreshesTheCopy() {
		cacheable("public, max-age=60");
		TestHttp.get(this.url);
		HttpResponse<String> revalidated = TestHttp.get(this.url, "Cache-Control", "no-cache");
		assertThat(revalidated.headers().firstValue("X-Cache")).hasValue("MISS");
		assertThat(backend.received("GET")).isEqualTo(2);
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).hasValue("HIT");
	}

	@Test
	void respectsVary() {
		cacheable("public, max-age=60");
		backend.headers.put("Vary", "Accept-Language");
		assertThat(TestHttp.get(this.url, "Accept-Language", "en").headers().firstValue("X-Cache")).hasValue("MISS");
		assertThat(TestHttp.get(this.url, "Accept-Language", "en").headers().firstValue("X-Cache")).hasValue("HIT");
		assertThat(TestHttp.get(this.url, "Accept-Language", "de").headers().firstValue("X-Cache")).hasValue("MISS");
	}

	@Test
	void aPostToThePathDropsTheCopy() {
		cacheable("public, max-age=60");
		TestHttp.get(this.url);
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).hasValue("HIT");
		TestHttp.post(this.url, "{}", "Content-Type", "application/json");
		assertThat(TestHttp.get(this.url).headers().firstValue("X-Cache")).hasValue("MISS");
	}

	@Test
	void answersHeadFromTheCopy() throws Exception {
		cacheable("public, max-age=60");
		String body = TestHttp.get(this.url).body();
		HttpResponse<String> head = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(this.url))
				.method("HEAD", HttpRequest.BodyPublishers.noBody())
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(head.statusCode()).isEqualTo(200);
		assertThat(head.headers().firstValue("X-Cache")).hasValue("HIT");
		assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(body.length()));
		assertThat(backend.received("GET")).isEqualTo(1);
	}

	@Test
	void leavesOtherPathsAlone() {
		cacheable("public, max-age=60");
		String hello = "http://localhost:" + this.port + "/api/hello";
		TestHttp.get(hello);
		assertThat(TestHttp.get(hello).headers().firstValue("X-Cache")).isEmpty();
		assertThat(backend.received("GET")).isEqualTo(2);
	}

	/**
	 * A hit answers synchronously; on a keep-alive connection whose previous (proxied)
	 * response was still finishing, that used to leave the connection deaf to the next
	 * request (see EventLoops.answerLater). Hung within a few rounds before the fix.
	 */
	@Test
	void aKeepAliveConnectionGoesOnAfterAHitThatFollowsAMiss() {
		cacheable("public, max-age=60");
		for (int round = 0; round < 30; round++) {
			String key = this.url + "-" + round;
			assertThat(TestHttp.get(key).headers().firstValue("X-Cache")).hasValue("MISS");
			assertThat(TestHttp.get(key).headers().firstValue("X-Cache")).hasValue("HIT");
			assertThat(TestHttp.get(key, "Cache-Control", "no-cache").headers().firstValue("X-Cache")).hasValue("MISS");
		}
	}

	/**
	 * The same for the other answers the gateway gives itself, synchronously: a refusal
	 * (401) and an unknown path (404), each right after a proxied answer.
	 */
	@Test
	void aKeepAliveConnectionGoesOnAfterAProblemThatFollowsAProxiedAnswer() {
		String base = this.url.substring(0, this.url.indexOf("/api/"));
		for (int round = 0; round < 30; round++) {
			assertThat(TestHttp.get(this.url + "-p" + round).statusCode()).isEqualTo(200);
			assertThat(TestHttp.get(base + "/api/me").statusCode()).isEqualTo(401);
			assertThat(TestHttp.get(this.url + "-q" + round).statusCode()).isEqualTo(200);
			assertThat(TestHttp.get(base + "/nowhere").statusCode()).isEqualTo(404);
		}
	}

	private static void cacheable(String cacheControl) {
		backend.headers.put("Cache-Control", cacheControl);
		backend.headers.put("ETag", "\"v1\"");
	}

	@Test
	void weakComparisonOfEntityTags() {
		assertThat(EdgeCacheFilter.matchesAny("W/\"a\"", "\"a\"")).isTrue();
		assertThat(EdgeCacheFilter.matchesAny("\"b\", \"a\"", "W/\"a\"")).isTrue();
		assertThat(EdgeCacheFilter.matchesAny("*", "\"a\"")).isTrue();
		assertThat(EdgeCacheFilter.matchesAny("\"b\"", "\"a\"")).isFalse();
		assertThat(EdgeCacheFilter.matchesAny(null, "\"a\"")).isFalse();
	}

}
