package dev.fulcrum.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fulcrum's request mix over many users: of every ten requests, eight authenticated reads
 * ({@code GET /api/me}), one public read ({@code GET /api/hello}) and one job submission
 * ({@code POST /api/jobs}, {@code echo}, a fresh idempotency key each), each run of ten
 * from the next user. The users are registered and logged in first, through the gateway,
 * within its limit on {@code /auth/**} (a 429 is waited out as its {@code Retry-After}
 * says).
 */
public final class Mix implements OpenLoad.Requests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private final URI gateway;

	private final List<String> credentials;

	private final List<String> bearers;

	private final String runId = UUID.randomUUID().toString().substring(0, 8);

	private final AtomicLong jobs = new AtomicLong();

	private final URI jobsUrl;

	private final URI helloUrl;

	private final URI meUrl;

	private Mix(URI gateway, List<String> credentials, List<String> bearers) {
		this.gateway = gateway;
		this.jobsUrl = gateway.resolve("/api/jobs");
		this.helloUrl = gateway.resolve("/api/hello");
		this.meUrl = gateway.resolve("/api/me");
		this.credentials = List.copyOf(credentials);
		this.bearers = List.copyOf(bearers);
	}

	/**
	 * Registers and logs in the users.
	 * @param client the HTTP client
	 * @param gateway the gateway's base URL
	 * @param users how many
	 * @return the mix
	 */
	public static Mix of(HttpClient client, URI gateway, int users) throws IOException, InterruptedException {
		List<String> credentials = new ArrayList<>();
		String prefix = "load-" + UUID.randomUUID().toString().substring(0, 6) + "-";
		for (int i = 0; i < users; i++) {
			String user = "{\"username\":\"" + prefix + i + "\",\"password\":\"load test password\"}";
			send(client, post(gateway.resolve("/auth/register"), user), 201);
			credentials.add(user);
		}
		return new Mix(gateway, credentials, List.of()).loggedInAgain(client);
	}

	/**
	 * The same users with fresh access tokens (they expire: 15 minutes by default), for a
	 * run longer than that.
	 * @param client the HTTP client
	 * @return the mix with new tokens
	 */
	public Mix loggedInAgain(HttpClient client) throws IOException, InterruptedException {
		List<String> bearers = new ArrayList<>();
		for (String user : this.credentials) {
			String login = send(client, post(this.gateway.resolve("/auth/login"), user), 200);
			Matcher token = ACCESS_TOKEN.matcher(login);
			if (!token.find()) {
				throw new IOException("no access_token in the login answer: " + login);
			}
			bearers.add("Bearer " + token.group(1));
		}
		return new Mix(this.gateway, this.credentials, bearers);
	}

	@Override
	public Request next(long n) {
		// Each run of ten requests is one user's, so every user submits its share of
		// jobs.
		String bearer = this.bearers.get((int) ((n / 10) % this.bearers.size()));
		return switch ((int) (n % 10)) {
			// A key of its own whatever n is: n starts again at 0 with every run of the
			// generator, and a key sent again would be a replay, not a new job.
			case 0 -> Request.postJson(this.jobsUrl, "{\"type\":\"echo\",\"payload\":{\"n\":" + n + "}}",
					"Authorization: " + bearer, "Idempotency-Key: " + this.runId + "-" + this.jobs.incrementAndGet());
			case 5 -> Request.get(this.helloUrl);
			default -> Request.get(this.meUrl, "Authorization: " + bearer);
		};
	}

	private static HttpRequest post(URI url, String json) {
		return HttpRequest.newBuilder(url)
			.timeout(TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
	}

	/** Sends, waiting out the edge's limit on /auth/**; fails on any other status. */
	private static String send(HttpClient client, HttpRequest request, int expected)
			throws IOException, InterruptedException {
		for (int attempt = 0; attempt < 30; attempt++) {
			HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == expected) {
				return response.body();
			}
			if (response.statusCode() != 429) {
				throw new IOException(request.method() + " " + request.uri().getPath() + " answered "
						+ response.statusCode() + ": " + response.body());
			}
			long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
			Thread.sleep(Duration.ofSeconds(Math.max(1, wait)));
		}
		throw new IOException(request.uri().getPath() + " kept answering 429");
	}

}
