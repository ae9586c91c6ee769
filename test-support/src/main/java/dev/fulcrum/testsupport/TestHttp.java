package dev.fulcrum.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plain HTTP for tests that talk to a real server over a real socket, with timeouts so
 * that a broken server fails the test instead of hanging it.
 */
public final class TestHttp {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private TestHttp() {
	}

	/**
	 * Sends a GET.
	 * @param url the address
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public static HttpResponse<String> get(String url, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
		if (headers.length > 0) {
			request.headers(headers);
		}
		try {
			return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("GET " + url + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted during GET " + url, ex);
		}
	}

	/**
	 * Sends a request with a JSON body.
	 * @param method the method, for example {@code POST}
	 * @param url the address
	 * @param body the body, sent as {@code application/json}, or {@code null} for none
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public static HttpResponse<String> send(String method, String url, String body, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (headers.length > 0) {
			request.headers(headers);
		}
		try {
			return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(method + " " + url + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted during " + method + " " + url, ex);
		}
	}

	/**
	 * Sends a POST with a JSON body.
	 * @param url the address
	 * @param body the body, or {@code null}
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public static HttpResponse<String> post(String url, String body, String... headers) {
		return send("POST", url, body, headers);
	}

	/**
	 * Turns a value into JSON, for request bodies.
	 * @param value a map, record or list
	 * @return the JSON text
	 */
	public static String toJson(Object value) {
		return json.writeValueAsString(value);
	}

	/**
	 * Parses a JSON body.
	 * @param response a response with a JSON body
	 * @return the parsed tree
	 */
	public static JsonNode json(HttpResponse<String> response) {
		return json(response.body());
	}

	/**
	 * Parses JSON text.
	 * @param text JSON
	 * @return the parsed tree
	 */
	public static JsonNode json(String text) {
		return json.readTree(text);
	}

}
