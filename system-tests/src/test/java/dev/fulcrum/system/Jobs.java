package dev.fulcrum.system;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import dev.fulcrum.testsupport.TestHttp;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/** Jobs read back through the gateway, as the system tests wait for them. */
final class Jobs {

	private Jobs() {
	}

	/**
	 * Waits until every job has succeeded, asking once a second for those not done yet.
	 * @param gateway the gateway's base URL
	 * @param bearer the owner's {@code Authorization} value
	 * @param ids the jobs
	 * @param atMost how long they may take
	 * @return each job as it was first seen succeeded, by id
	 */
	static Map<String, JsonNode> awaitSucceeded(String gateway, String bearer, Collection<String> ids,
			Duration atMost) {
		Map<String, JsonNode> done = new HashMap<>();
		await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
			for (String id : ids) {
				if (!done.containsKey(id)) {
					JsonNode job = TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + id, "Authorization", bearer));
					if ("SUCCEEDED".equals(job.get("status").asString())) {
						done.put(id, job);
					}
				}
			}
			return done.size() == ids.size();
		});
		return done;
	}

}
