package dev.fulcrum.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The training mix against a loopback server that answers as the gateway does: what it
 * sends, with which credentials, and how it counts.
 */
class LoadTrainingTests {

	private final HttpServer server = server();

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final Set<String> keys = ConcurrentHashMap.newKeySet();

	private volatile int meStatus = 200;

	private final Queue<Integer> registerStatuses = new ConcurrentLinkedQueue<>();

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void logsInThenSendsTheMixWithTheTokenAndAFreshKeyPerJobAndReadsEachJobBack() throws Exception {
		LoadTraining.Tally tally = LoadTraining.mix(root(), Duration.ofMillis(700));

		assertThat(tally.failed()).isZero();
		assertThat(count("POST /auth/register")).isEqualTo(1);
		assertThat(count("POST /auth/login")).isEqualTo(1);
		int jobs = count("POST /api/jobs");
		assertThat(jobs).isPositive();
		assertThat(this.keys).as("one key per job").hasSize(jobs);
		assertThat(count("GET /api/jobs/{id}")).as("each job read back").isEqualTo(jobs);
		// Eight in each round of ten; each client's last round may be cut short.
		assertThat(count("GET /api/me")).as("eight in ten")
			.isGreaterThanOrEqualTo(8 * (jobs - LoadTraining.CLIENTS))
			.isLessThanOrEqualTo(8 * jobs);
		assertThat(count("GET /api/hello")).isPositive();
		assertThat(tally.succeeded()).isEqualTo(count("GET /api/me") + count("GET /api/hello") + jobs * 2L);
	}

	@Test
	void countsFailedAnswersWithoutStopping() throws Exception {
		this.meStatus = 503;
		LoadTraining.Tally tally = LoadTraining.mix(root(), Duration.ofMillis(300));

		assertThat(tally.failed()).isEqualTo(count("GET /api/me")).isPositive();
		assertThat(tally.succeeded()).isPositive();
		assertThat(tally.toString()).contains("GET /api/me 503");
	}

	@Test
	void waitsOutARateLimitAndAStackStillStartingBeforeItRegisters() throws Exception {
		this.registerStatuses.addAll(List.of(429, 503));
		LoadTraining.Tally tally = LoadTraining.mix(root(), Duration.ofMillis(100));

		assertThat(count("POST /auth/register")).isEqualTo(3);
		assertThat(tally.succeeded()).isPositive();
	}

	@Test
	void keepsACacheOnlyIfItsJvmExitedOnItsOwnAndNineInTenOfTheMixWereAnswered() {
		var done = new LoadTraining.Result(new LoadTraining.Tally(900, 100), Set.of("gateway"));
		assertThat(done.trained("gateway")).isTrue();
		assertThat(done.trained("api-service")).as("killed before its cache was whole").isFalse();
		assertThat(new LoadTraining.Result(new LoadTraining.Tally(899, 101), Set.of("gateway")).trained("gateway"))
			.as("more than one in ten failed")
			.isFalse();
		assertThat(new LoadTraining.Result(new LoadTraining.Tally(0, 0), Set.of("gateway")).trained("gateway"))
			.as("nothing answered")
			.isFalse();
		assertThat(new LoadTraining.Result(null, Set.of("gateway")).trained("gateway")).as("the mix never ran")
			.isFalse();
	}

	@Test
	void failsWhenTheTrainingUserCannotRegister() {
		this.registerStatuses.add(400);
		assertThatIOException().isThrownBy(() -> LoadTraining.mix(root(), Duration.ofMillis(100)))
			.withMessageContaining("/auth/register answered 400");
	}

	private int count(String call) {
		AtomicInteger counter = this.calls.get(call);
		return (counter != null) ? counter.get() : 0;
	}

	private URI root() {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + "/");
	}

	private HttpServer server() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
			server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
			server.createContext("/", this::answer);
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void answer(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		String call = exchange.getRequestMethod() + " " + (path.matches("/api/jobs/.+") ? "/api/jobs/{id}" : path);
		this.calls.computeIfAbsent(call, (c) -> new AtomicInteger()).incrementAndGet();
		exchange.getRequestBody().readAllBytes();
		String bearer = exchange.getRequestHeaders().getFirst("Authorization");
		boolean signedIn = "Bearer t0ken".equals(bearer);
		switch (call) {
			case "POST /auth/register" -> {
				Integer status = this.registerStatuses.poll();
				if (status != null && status == 429) {
					exchange.getResponseHeaders().set("Retry-After", "1");
				}
				reply(exchange, (status != null) ? status : 201, "{}");
			}
			case "POST /auth/login" -> reply(exchange, 200, "{\"access_token\":\"t0ken\",\"token_type\":\"Bearer\"}");
			case "GET /api/hello" -> reply(exchange, 200, "{\"message\":\"hello\"}");
			case "GET /api/me" -> reply(exchange, signedIn ? this.meStatus : 401, "{}");
			case "POST /api/jobs" -> {
				String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
				boolean fresh = key != null && this.keys.add(key);
				reply(exchange, (signedIn && fresh) ? 202 : 409, "{\"id\":\"job-" + key + "\",\"status\":\"QUEUED\"}");
			}
			case "GET /api/jobs/{id}" -> reply(exchange, signedIn ? 200 : 401, "{\"status\":\"SUCCEEDED\"}");
			default -> reply(exchange, 404, "{}");
		}
	}

	private static void reply(HttpExchange exchange, int status, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, body.length);
		exchange.getResponseBody().write(body);
		exchange.close();
	}

}
