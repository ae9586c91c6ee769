package dev.fulcrum.common.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Loads the Lua scripts that the services run in Redis.
 * <p>
 * A script is read from the classpath once, when its class loads, and its SHA-1 is
 * computed once. {@code RedisScript.of(Resource)} would instead ask the resource on every
 * call whether it changed, which inside a packaged jar costs a failed file lookup and an
 * exception each time: measurable on a hot path such as a worker claiming jobs.
 */
public final class LuaScripts {

	private LuaScripts() {
	}

	/**
	 * Loads a script.
	 * @param <T> the type of its answer
	 * @param path its classpath location, for example {@code scripts/submit-job.lua}
	 * @param resultType the type of its answer ({@code Long}, {@code String},
	 * {@code List}, {@code Boolean})
	 * @return the script
	 * @throws UncheckedIOException if it cannot be read
	 */
	public static <T> RedisScript<T> load(String path, Class<T> resultType) {
		try {
			return RedisScript.of(new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8), resultType);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the Lua script " + path, ex);
		}
	}

}
