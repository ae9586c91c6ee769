package dev.fulcrum.api.me;

import dev.fulcrum.common.InstanceId;
import dev.fulcrum.token.AccessToken;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/me}: the caller's name and the instance that verified the token.
 */
@RestController
class MeController {

	private final InstanceId instanceId;

	MeController(InstanceId instanceId) {
		this.instanceId = instanceId;
	}

	@GetMapping("/api/me")
	Me me(@AuthenticationPrincipal AccessToken token) {
		return new Me(token.username(), this.instanceId.value());
	}

	record Me(String username, String instance) {
	}

}
