package dev.fulcrum.jobs.types;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.fulcrum.jobs.JobContext;
import dev.fulcrum.jobs.JobType;

/**
 * {@code checksum {"text","rounds"}}: SHA-256 of the text, hashed again {@code rounds}
 * times (1 to 100 000), a stand-in for CPU work.
 */
public final class ChecksumJob implements JobType {

	@Override
	public String name() {
		return "checksum";
	}

	@Override
	public List<PayloadError> validate(JsonNode payload) {
		List<PayloadError> errors = Payloads.object(payload);
		if (errors.isEmpty()) {
			Payloads.text(payload, "text", 10_000, errors);
			Payloads.integer(payload, "rounds", 1, 100_000, true, errors);
		}
		return errors;
	}

	@Override
	public JsonNode run(JobContext context) throws NoSuchAlgorithmException {
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		byte[] digest = context.payload().get("text").asString().getBytes(StandardCharsets.UTF_8);
		long rounds = context.payload().get("rounds").asLong();
		for (long i = 0; i < rounds; i++) {
			digest = sha256.digest(digest);
		}
		return JsonNodeFactory.instance.objectNode()
			.put("sha256", HexFormat.of().formatHex(digest))
			.put("rounds", rounds);
	}

}
