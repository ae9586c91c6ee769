package dev.fulcrum.auth.token;

import java.time.Duration;
import java.util.Map;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /.well-known/jwks.json}: the public keys of every auth instance. Cacheable
 * for a minute; verifiers fetch it again at once when they meet a new {@code kid}.
 */
@RestController
class JwksController {

	private static final MediaType JWK_SET = MediaType.parseMediaType("application/jwk-set+json");

	private final SigningKeys keys;

	JwksController(SigningKeys keys) {
		this.keys = keys;
	}

	@GetMapping("/.well-known/jwks.json")
	ResponseEntity<Map<String, Object>> jwks() {
		return ResponseEntity.ok()
			.contentType(JWK_SET)
			.cacheControl(CacheControl.maxAge(Duration.ofMinutes(1)).cachePublic())
			.body(this.keys.jwkSet());
	}

}
