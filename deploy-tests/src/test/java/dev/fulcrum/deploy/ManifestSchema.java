package dev.fulcrum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;

/**
 * The schema of a rendered Kubernetes object, applied strictly: the object is parsed into
 * the class its {@code apiVersion} and {@code kind} name, from the fabric8 Kubernetes
 * model, {@link Keda} or {@link PrometheusOperator}, and an unknown field anywhere, a
 * value of the wrong type, or an {@code apiVersion} and {@code kind} that neither has, is
 * an error naming the object and the path of the field, as the API server's strict field
 * validation would report it.
 */
final class ManifestSchema {

	/** The custom resources of KEDA and the Prometheus Operator, which fabric8 lacks. */
	private static final Map<String, Class<?>> CUSTOM = Map.of("keda.sh/v1alpha1/ScaledObject", Keda.ScaledObject.class,
			"keda.sh/v1alpha1/TriggerAuthentication", Keda.TriggerAuthentication.class,
			"monitoring.coreos.com/v1/PodMonitor", PrometheusOperator.PodMonitor.class);

	/**
	 * fabric8's own table of its model classes by apiVersion and kind (every model jar
	 * lists its kinds for it); an exact match, so {@code apps/v2} finds nothing.
	 */
	private static final KubernetesDeserializer KUBERNETES = new KubernetesDeserializer();

	private static final ObjectMapper MAPPER = JsonMapper.builder()
		.addModule(new SimpleModule().setDeserializerModifier(new NoCatchAll()))
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		// A field that a class ignores on purpose is no more a field of the API than an
		// unknown one.
		.enable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
		// The API server takes no "8080" for a number, no 8080 for a string, no "true"
		// for a boolean and no 1.5 for an integer; Jackson would convert them all.
		.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
		.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
		.withCoercionConfig(LogicalType.Textual,
				(config) -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
					.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
					.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
		.build();

	private ManifestSchema() {
	}

	/**
	 * The object parsed into its type.
	 * @param object one rendered object, as YAML maps
	 * @return a fabric8 model object, or a record of {@link Keda} or
	 * {@link PrometheusOperator}
	 * @throws IllegalArgumentException naming the object and what is wrong where, when
	 * the object does not fit its type
	 */
	static Object parse(Map<String, Object> object) {
		String apiVersion = String.valueOf(object.get("apiVersion"));
		String kind = String.valueOf(object.get("kind"));
		String what = kind + " " + name(object);
		Class<?> type = CUSTOM.getOrDefault(apiVersion + "/" + kind, KUBERNETES.getRegisteredKind(apiVersion, kind));
		if (type == null) {
			throw new IllegalArgumentException(what + ": apiVersion " + apiVersion + " has no kind " + kind
					+ " (neither in the fabric8 Kubernetes model nor among the custom resources known here)");
		}
		JsonNode tree = MAPPER.valueToTree(object);
		try {
			return MAPPER.readerFor(type).readValue(tree);
		}
		catch (JsonMappingException ex) {
			throw new IllegalArgumentException(what + " (" + apiVersion + "): at " + path(ex) + ": "
					+ ex.getOriginalMessage().lines().findFirst().orElse(""), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code spec.template.spec.containers[0].readinesProbe}. */
	private static String path(JsonMappingException ex) {
		return ex.getPath()
			.stream()
			.map((step) -> (step.getFieldName() != null) ? "." + step.getFieldName() : "[" + step.getIndex() + "]")
			.collect(Collectors.joining())
			.replaceFirst("^\\.", "");
	}

	private static String name(Map<String, Object> object) {
		return (object.get("metadata") instanceof Map<?, ?> metadata) ? String.valueOf(metadata.get("name"))
				: "(no metadata)";
	}

	/**
	 * Takes away the catch-all of every fabric8 model class: an {@code @JsonAnySetter}
	 * that keeps any field it does not know in {@code additionalProperties}, which would
	 * let {@code readinesProbe} through in silence. Without it an unknown field is an
	 * error, as for any other class.
	 */
	private static final class NoCatchAll extends BeanDeserializerModifier {

		@Override
		public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
				BeanDeserializerBuilder builder) {
			builder.setAnySetter(null);
			builder.setIgnoreUnknownProperties(false);
			return builder;
		}

	}

}
