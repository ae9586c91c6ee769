package dev.fulcrum.common.redis;

import java.io.UncheckedIOException;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.core.script.RedisScript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class LuaScriptsTests {

	@Test
	void readsTheScriptOnceWithItsDigest() {
		RedisScript<Long> script = LuaScripts.load("scripts/test-increment.lua", Long.class);

		assertThat(script.getScriptAsString()).isEqualTo("return tonumber(ARGV[1]) + 1\n");
		// SHA-1 of the text above, as Redis's SCRIPT LOAD would answer.
		assertThat(script.getSha1()).isEqualTo(sha1("return tonumber(ARGV[1]) + 1\n"));
		assertThat(script.getResultType()).isEqualTo(Long.class);
	}

	@Test
	void aMissingScriptFailsAtOnce() {
		assertThatExceptionOfType(UncheckedIOException.class)
			.isThrownBy(() -> LuaScripts.load("scripts/no-such.lua", Long.class))
			.withMessageContaining("scripts/no-such.lua");
	}

	private static String sha1(String text) {
		try {
			return java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-1")
					.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
