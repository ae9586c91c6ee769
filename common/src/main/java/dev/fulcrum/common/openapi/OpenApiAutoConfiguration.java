package dev.fulcrum.common.openapi;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;

import dev.fulcrum.common.problem.Problems;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * What every Fulcrum OpenAPI document says alike, for the services that publish one
 * (springdoc on the classpath): the service's name and version, a relative server (the
 * gateway the document was fetched through), the bearer token scheme that protected
 * operations take, and the errors. Every operation can answer an RFC 9457 problem
 * ({@code application/problem+json}, schema {@code Problem}): 429 from the gateway's rate
 * limit and 503 when the service cannot be reached, with {@code Retry-After}, and any
 * other 4xx or 5xx as the {@code default} response.
 */
@AutoConfiguration
@ConditionalOnClass(OpenApiCustomizer.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class OpenApiAutoConfiguration {

	static final String PROBLEM = "Problem";

	@Bean
	OpenApiCustomizer fulcrumOpenApi(Environment environment) {
		String name = environment.getProperty("spring.application.name", "service");
		String version = environment.getProperty("spring.application.version", "dev");
		return (openApi) -> describe(openApi, name, version);
	}

	static void describe(OpenAPI openApi, String name, String version) {
		openApi.info(new Info().title("Fulcrum " + name)
			.version(version)
			.description("Served through the gateway; every error is an RFC 9457 problem."));
		openApi.servers(List.of(new Server().url("/").description("the gateway this document was fetched from")));
		openApi.schemaRequirement("bearer",
				new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT"));
		openApi.getComponents().addSchemas(PROBLEM, problemSchema());
		if (openApi.getPaths() == null) {
			return;
		}
		for (PathItem path : openApi.getPaths().values()) {
			for (Operation operation : path.readOperations()) {
				operation.getResponses()
					.addApiResponse("429",
							problem("Too many requests (the gateway's rate limit, or a per-user quota)", true))
					.addApiResponse("503", problem("The service cannot take the request now", true))
					.addApiResponse("default", problem("Any other error", false));
			}
		}
	}

	private static ApiResponse problem(String description, boolean retryAfter) {
		ApiResponse response = new ApiResponse().description(description)
			.content(new Content().addMediaType(Problems.MEDIA_TYPE,
					new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
		if (retryAfter) {
			response.headers(Map.of("Retry-After",
					new Header().description("Seconds to wait before trying again").schema(new IntegerSchema())));
		}
		return response;
	}

	private static Schema<?> problemSchema() {
		return new ObjectSchema().description("An RFC 9457 problem: what went wrong, for a program and for a person")
			.addProperty("type",
					new StringSchema().description("The kind of error, stable to branch on")
						.example("urn:fulcrum:problem:unauthenticated"))
			.addProperty("title", new StringSchema().description("A short summary of the kind"))
			.addProperty("status", new IntegerSchema().description("The HTTP status"))
			.addProperty("detail", new StringSchema().description("What went wrong in this request"))
			.addProperty("instance", new StringSchema().description("The request path"))
			.addProperty("requestId",
					new StringSchema().description("The request's id, as in X-Request-Id: quote it when reporting"))
			.required(List.of("type", "title", "status"));
	}

}
