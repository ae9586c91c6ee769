package dev.fulcrum.gateway.edge;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What the gateway does to every request and response at the edge
 * ({@code fulcrum.gateway.edge.*}).
 *
 * @param maxRequestBody larger request bodies are refused with a 413
 * ({@code GATEWAY_MAX_REQUEST_BODY})
 * @param stripRequestHeaders request headers a client may not send, because services
 * behind the gateway would believe them; a trailing {@code *} matches a prefix
 */
@ConfigurationProperties("fulcrum.gateway.edge")
record EdgeProperties(@DefaultValue("1MB") DataSize maxRequestBody, @DefaultValue( {
		"X-Fulcrum-*", "X-Internal-*", "X-Forwarded-User", "X-User-Id",
		"X-User-Roles" }) List<String> stripRequestHeaders){
}
