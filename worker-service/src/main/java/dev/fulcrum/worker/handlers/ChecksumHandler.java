package dev.fulcrum.worker.handlers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.stereotype.Component;

/** Runs {@code checksum} jobs ({@link dev.fulcrum.jobs.types.ChecksumJob}). */
@Component
class ChecksumHandler implements JobHandler {

	@Override
	public String type() {
		return "checksum";
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
