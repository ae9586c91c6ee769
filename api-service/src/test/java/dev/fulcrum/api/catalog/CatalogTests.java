package dev.fulcrum.api.catalog;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog is public and cacheable: {@code Cache-Control: public, max-age}, an
 * {@code ETag} that is a digest of the bytes (so every replica agrees on it), and a 304
 * without a body for a client that already holds the current version.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.catalog.max-age=45s" })
@Import(TestRedisConfiguration.class)
class CatalogTests {

	@LocalServerPort
	int port;

	@Test
	void servesTheCatalogWithCachingHeadersAndWithoutAToken() throws Exception {
		HttpResponse<String> response = TestHttp.get(url());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("max-age=45, public");
		JsonNode items = TestHttp.json(response).get("items");
		assertThat(items.size()).isEqualTo(3);
		assertThat(items.get(0).get("id").asString()).isEqualTo("starter");
		byte[] sha = MessageDigest.getInstance("SHA-256").digest(response.body().getBytes(StandardCharsets.UTF_8));
		String expected = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha).substring(0, 22) + "\"";
		assertThat(response.headers().firstValue("ETag")).hasValue(expected);
	}

	@Test
	void answers304WithoutABodyWhenTheClientHoldsTheCurrentVersion() {
		String etag = TestHttp.get(url()).headers().firstValue("ETag").orElseThrow();
		HttpResponse<String> notModified = TestHttp.get(url(), "If-None-Match", etag);
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.body()).isEmpty();
		assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
		assertThat(notModified.headers().firstValue("Cache-Control")).hasValue("max-age=45, public");

		HttpResponse<String> changed = TestHttp.get(url(), "If-None-Match", "\"an-older-version\"");
		assertThat(changed.statusCode()).isEqualTo(200);
		assertThat(changed.body()).contains("starter");
	}

	@Test
	void answersHeadWithTheHeadersOnly() throws Exception {
		HttpResponse<String> head = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url())).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(head.statusCode()).isEqualTo(200);
		assertThat(head.body()).isEmpty();
		assertThat(head.headers().firstValue("ETag")).isPresent();
	}

	private String url() {
		return "http://localhost:" + this.port + "/api/catalog";
	}

}
