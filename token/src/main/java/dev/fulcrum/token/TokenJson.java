package dev.fulcrum.token;

import java.io.OutputStream;
import java.io.Reader;
import java.util.Map;

import io.jsonwebtoken.io.AbstractDeserializer;
import io.jsonwebtoken.io.AbstractSerializer;
import io.jsonwebtoken.io.Deserializer;
import io.jsonwebtoken.io.Serializer;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON for jjwt on Jackson 3, the Jackson of Spring Boot 4 ({@code jjwt-jackson} would
 * bring Jackson 2 onto every classpath). Duplicate member names are refused: a token
 * whose header or claims name a member twice means different things to different parsers.
 */
public final class TokenJson {

	// jjwt owns the streams it hands over: Jackson must not close them.
	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
		.disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
		.build();

	private static final TypeReference<Map<String, ?>> MAP = new TypeReference<>() {
	};

	private TokenJson() {
	}

	/**
	 * A serializer for {@code Jwts.builder().json(...)}.
	 * @return the serializer
	 */
	public static Serializer<Map<String, ?>> serializer() {
		return new AbstractSerializer<>() {
			@Override
			protected void doSerialize(Map<String, ?> value, OutputStream out) {
				MAPPER.writeValue(out, value);
			}
		};
	}

	/**
	 * A deserializer for {@code Jwts.parser().json(...)} and {@code Jwks} parsers.
	 * @return the deserializer
	 */
	public static Deserializer<Map<String, ?>> deserializer() {
		return new AbstractDeserializer<>() {
			@Override
			protected Map<String, ?> doDeserialize(Reader reader) {
				return MAPPER.readValue(reader, MAP);
			}
		};
	}

	static JsonMapper mapper() {
		return MAPPER;
	}

}
