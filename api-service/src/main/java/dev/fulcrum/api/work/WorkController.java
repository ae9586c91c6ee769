package dev.fulcrum.api.work;

import java.time.Duration;

import dev.fulcrum.common.InstanceId;
import dev.fulcrum.common.problem.ProblemException;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Holds the request for {@code ms} milliseconds (0 to 2000), as a call to a slow
 * dependency would, then names the instance. Requests run on virtual threads, so waiting
 * costs no platform thread.
 */
@RestController
class WorkController {

	static final int MAX_MILLIS = 2000;

	private final String instance;

	WorkController(InstanceId instanceId) {
		this.instance = instanceId.value();
	}

	@GetMapping("/api/work")
	Work work(@RequestParam(name = "ms", defaultValue = "0") String ms) throws InterruptedException {
		int millis = millis(ms);
		Thread.sleep(Duration.ofMillis(millis));
		return new Work(this.instance, millis);
	}

	private static int millis(String ms) {
		try {
			int millis = Integer.parseInt(ms);
			if (millis >= 0 && millis <= MAX_MILLIS) {
				return millis;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw new ProblemException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
				"ms must be a whole number of milliseconds from 0 to " + MAX_MILLIS + ", not '" + ms + "'.");
	}

	record Work(String instance, int ms) {
	}

}
