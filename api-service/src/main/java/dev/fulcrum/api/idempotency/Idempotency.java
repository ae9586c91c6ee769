package dev.fulcrum.api.idempotency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.problem.ProblemException;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Resolves the idempotency key of a request by its route's mode, and counts what became
 * of it ({@code fulcrum.idempotency.requests}, tagged by mode, key source and outcome).
 * <ul>
 * <li>A key the client sends wins in every mode. It must be 1 to 255 printable ASCII
 * characters.</li>
 * <li>{@code required}: no key is a 400.</li>
 * <li>{@code content}: no key, and the server derives one, {@value #DERIVED_PREFIX}
 * followed by the hex SHA-256 of exactly these, each preceded by its length in bytes: a
 * version tag, the user id, the method, the path, the query string as sent, and the body
 * as canonical JSON (object members sorted by name at every level, no whitespace, numbers
 * and strings as JSON reads them). Two requests that differ in any of these never share a
 * key; the same job with its members in another order or other whitespace does.</li>
 * <li>{@code optional}: no key, no deduplication.</li>
 * </ul>
 * The records themselves are written with the request's effect, atomically, by the route
 * (for {@code POST /api/jobs}, {@code submit-job.lua}).
 */
@Component
@EnableConfigurationProperties(IdempotencyProperties.class)
public class Idempotency {

	/** The route that takes an {@code Idempotency-Key}: {@code POST /api/jobs}. */
	public static final String JOBS = "jobs";

	/**
	 * Every route that takes one, by the name it is configured under; only these may be
	 * configured.
	 */
	static final Map<String, String> ROUTES = Map.of(JOBS, "POST /api/jobs");

	/** How a derived key starts; a client may send it back as its own key. */
	public static final String DERIVED_PREFIX = "content-sha256:";

	private static final String VERSION = "fulcrum-idempotency-v1";

	/** 1 to 255 printable ASCII characters, as the API contract says. */
	private static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");

	/** Sorted members at every level: the same content has one form. */
	private static final JsonMapper CANONICAL = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	private final IdempotencyProperties properties;

	private final Counter.MeterProvider<Counter> requests;

	public Idempotency(IdempotencyProperties properties, MeterRegistry meters) {
		this.properties = properties;
		this.requests = Counter.builder("fulcrum.idempotency.requests")
			.description("Requests to routes that take an Idempotency-Key, by the route's mode, where the key came "
					+ "from and what became of the request")
			.withRegistry(meters);
	}

	/**
	 * A value as canonical JSON: object members sorted by name at every level, no
	 * whitespace. Two values that mean the same have one form.
	 * @param value a JSON tree, a map, a record
	 * @return its canonical JSON
	 */
	public static String canonicalJson(Object value) {
		return CANONICAL.writeValueAsString(CANONICAL.convertValue(value, Object.class));
	}

	/**
	 * The key of one request.
	 * @param request the request, as the route reads it
	 * @param sentKeyTtl how long a record of a sent key is kept
	 * @return the key, {@link IdempotencyKey.Source#NONE} in {@code optional} mode
	 * without one
	 * @throws ProblemException 400 if a key is required and missing, or sent malformed
	 */
	public IdempotencyKey resolve(Request request, Duration sentKeyTtl) {
		IdempotencyProperties.Route route = this.properties.route(request.route());
		IdempotencyMode mode = route.mode();
		String sent = request.sentKey();
		if (sent != null && !sent.isEmpty()) {
			if (!KEY.matcher(sent).matches()) {
				count(mode, IdempotencyKey.Source.SENT, "invalid");
				throw new ProblemException(HttpStatus.BAD_REQUEST, "idempotency-key-invalid", "Idempotency-Key invalid",
						"The Idempotency-Key must be 1 to 255 printable ASCII characters.");
			}
			return new IdempotencyKey(sent, IdempotencyKey.Source.SENT, mode, sentKeyTtl);
		}
		return switch (mode) {
			case REQUIRED -> {
				count(mode, IdempotencyKey.Source.NONE, "missing");
				throw new ProblemException(HttpStatus.BAD_REQUEST, "idempotency-key-missing", "Idempotency-Key missing",
						ROUTES.get(request.route())
								+ " needs an Idempotency-Key header (a new UUID per job is a good choice).");
			}
			case CONTENT -> new IdempotencyKey(derive(request), IdempotencyKey.Source.DERIVED, mode, route.window());
			case OPTIONAL -> new IdempotencyKey("", IdempotencyKey.Source.NONE, mode, Duration.ZERO);
		};
	}

	/**
	 * Counts what became of a request with this key.
	 * @param key its key
	 * @param outcome {@code created}, {@code replayed}, {@code mismatch} (422),
	 * {@code refused} (429 or 503, nothing stored)
	 */
	public void count(IdempotencyKey key, String outcome) {
		count(key.mode(), key.source(), outcome);
	}

	private void count(IdempotencyMode mode, IdempotencyKey.Source source, String outcome) {
		this.requests.withTags("mode", mode.tag(), "key", source.tag(), "outcome", outcome).increment();
	}

	/**
	 * The key {@code content} mode derives for a request.
	 * @param request the request
	 * @return {@value #DERIVED_PREFIX} and 64 hex digits
	 */
	static String derive(Request request) {
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		String body = canonicalJson(request.content().get());
		String query = (request.query() != null) ? request.query() : "";
		for (String part : new String[] { VERSION, request.user(), request.method(), request.path(), query, body }) {
			byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
			sha256.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
			sha256.update(bytes);
		}
		return DERIVED_PREFIX + HexFormat.of().formatHex(sha256.digest());
	}

	/**
	 * What a key is resolved from.
	 *
	 * @param route the route's name, as configured ({@link #JOBS})
	 * @param user the user id (the token's subject)
	 * @param method the request's method
	 * @param path the request's path
	 * @param query its query string as sent, or {@code null}
	 * @param sentKey the {@code Idempotency-Key} header, or {@code null}
	 * @param content the body as JSON; read only to derive a key
	 */
	public record Request(String route, String user, String method, String path, String query, String sentKey,
			Supplier<JsonNode> content) {
	}

}
