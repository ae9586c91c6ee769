package dev.fulcrum.api.catalog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalog of plans: the same bytes from every instance, so that its {@code ETag} (a
 * digest of those bytes) validates across replicas and a shared cache may keep it for
 * {@code max-age}. A request whose {@code If-None-Match} names the current tag gets a 304
 * without a body (Spring MVC compares the tag of a {@link ResponseEntity}).
 */
@RestController
class CatalogController {

	static final List<Plan> PLANS = List.of(new Plan("starter", "Starter", 0, 1_000_000),
			new Plan("team", "Team", 4_900, 10_000_000), new Plan("scale", "Scale", 29_900, 100_000_000));

	private final byte[] body;

	private final String etag;

	private final CacheControl cacheControl;

	CatalogController(JsonMapper json, @Value("${fulcrum.catalog.max-age:30s}") Duration maxAge) {
		this.body = json.writeValueAsBytes(new Catalog(PLANS));
		this.etag = "\"" + digest(this.body) + "\"";
		this.cacheControl = CacheControl.maxAge(maxAge).cachePublic();
	}

	@GetMapping(path = "/api/catalog", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> catalog() {
		return ResponseEntity.ok().cacheControl(this.cacheControl).eTag(this.etag).body(this.body);
	}

	private static String digest(byte[] bytes) {
		try {
			byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
			return Base64.getUrlEncoder().withoutPadding().encodeToString(sha).substring(0, 22);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The catalog.
	 *
	 * @param items the plans on offer
	 */
	record Catalog(List<Plan> items) {
	}

	/**
	 * One plan.
	 *
	 * @param id stable identifier
	 * @param name display name
	 * @param monthlyPriceCents price per month, in cents
	 * @param requestsPerDay requests a day the plan allows
	 */
	record Plan(String id, String name, long monthlyPriceCents, long requestsPerDay) {
	}

}
