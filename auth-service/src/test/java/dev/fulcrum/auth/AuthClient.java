package dev.fulcrum.auth;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.testsupport.TestHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls the auth-service over HTTP as a client would. Each client has its own address
 * ({@code X-Forwarded-For}, trusted from loopback) and tests use their own user names, so
 * that throttling counters never leak between tests.
 */
final class AuthClient {

	static final String PASSWORD = "correct horse battery";

	private static final AtomicInteger addresses = new AtomicInteger();

	private final String base;

	private final String address;

	AuthClient(int port) {
		// A documentation prefix (RFC 3849), a new /64 for every client: throttling
		// counts IPv6 clients by their /64.
		this(port, "2001:db8:" + Integer.toHexString(addresses.incrementAndGet()) + "::1");
	}

	AuthClient(int port, String address) {
		this.base = "http://127.0.0.1:" + port;
		this.address = address;
	}

	static String newUsername() {
		return "u-" + UUID.randomUUID().toString().substring(0, 12);
	}

	String address() {
		return this.address;
	}

	String url(String path) {
		return this.base + path;
	}

	HttpResponse<String> register(String username, String password) {
		return post("/auth/register", Map.of("username", username, "password", password));
	}

	HttpResponse<String> login(String username, String password) {
		return post("/auth/login", Map.of("username", username, "password", password));
	}

	/** Registers a fresh user and logs in. */
	JsonNode newSession() {
		String username = newUsername();
		assertThat(register(username, PASSWORD).statusCode()).isEqualTo(201);
		return loginOk(username);
	}

	JsonNode loginOk(String username) {
		HttpResponse<String> response = login(username, PASSWORD);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return TestHttp.json(response);
	}

	HttpResponse<String> refresh(String refreshToken) {
		return post("/auth/refresh", Map.of("refresh_token", refreshToken));
	}

	HttpResponse<String> me(String accessToken) {
		return TestHttp.get(url("/auth/me"), "Authorization", "Bearer " + accessToken);
	}

	HttpResponse<String> post(String path, Object body, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "X-Forwarded-For";
		all[1] = this.address;
		System.arraycopy(headers, 0, all, 2, headers.length);
		return TestHttp.post(url(path), (body != null) ? TestHttp.toJson(body) : null, all);
	}

	HttpResponse<String> postWithToken(String path, String accessToken) {
		return post(path, null, "Authorization", "Bearer " + accessToken);
	}

}
