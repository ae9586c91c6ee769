package dev.fulcrum.deploy;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

/**
 * KEDA's {@code ScaledObject} and {@code TriggerAuthentication}
 * ({@code keda.sh/v1alpha1}) as records, for {@link ManifestSchema}: the fabric8 model
 * has no KEDA classes, and a record knows no field it does not declare.
 * <p>
 * The fields, their types and which are required are those of KEDA 2's Go types
 * ({@code apis/keda/v1alpha1/scaledobject_types.go}, {@code scaletriggers_types.go} and
 * {@code triggerauthentication_types.go} in kedacore/keda; required: no
 * {@code omitempty}), with {@code fallback.behavior} from the ScaledObject specification
 * of KEDA 2.17's documentation. Left out: {@code status}, which a manifest does not set,
 * and the TriggerAuthentication's external secret stores ({@code hashiCorpVault},
 * {@code azureKeyVault}, {@code gcpSecretManager}, {@code awsSecretManager}) and
 * service-account tokens ({@code boundServiceAccountToken}, newer than those types): k8s/
 * uses none, so one fails here until its fields are written down.
 */
final class Keda {

	private Keda() {
	}

	record ScaledObject(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
			ObjectMeta metadata, @JsonProperty(required = true) ScaledObjectSpec spec) {
	}

	record ScaledObjectSpec(@JsonProperty(required = true) ScaleTarget scaleTargetRef, Integer pollingInterval,
			Integer cooldownPeriod, Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount,
			Integer maxReplicaCount, Fallback fallback, Advanced advanced,
			@JsonProperty(required = true) List<Trigger> triggers) {
	}

	record ScaleTarget(@JsonProperty(required = true) String name, String apiVersion, String kind,
			String envSourceContainerName) {
	}

	/**
	 * {@code behavior}: static, currentReplicas, currentReplicasIfHigher or ...IfLower.
	 */
	record Fallback(@JsonProperty(required = true) Integer failureThreshold,
			@JsonProperty(required = true) Integer replicas, String behavior) {
	}

	record Advanced(Boolean restoreToOriginalReplicaCount, HorizontalPodAutoscalerConfig horizontalPodAutoscalerConfig,
			ScalingModifiers scalingModifiers) {
	}

	/** {@code behavior} is the HorizontalPodAutoscaler's own (autoscaling/v2). */
	record HorizontalPodAutoscalerConfig(String name, HorizontalPodAutoscalerBehavior behavior) {
	}

	record ScalingModifiers(String formula, String target, String activationTarget, String metricType) {
	}

	/** {@code metadata} is the scaler's own, free-form but all strings. */
	record Trigger(@JsonProperty(required = true) String type, String name,
			@JsonProperty(required = true) Map<String, String> metadata, AuthenticationRef authenticationRef,
			String metricType, Boolean useCachedMetrics) {
	}

	/**
	 * {@code kind}: TriggerAuthentication (the default) or ClusterTriggerAuthentication.
	 */
	record AuthenticationRef(@JsonProperty(required = true) String name, String kind) {
	}

	record TriggerAuthentication(@JsonProperty(required = true) String apiVersion,
			@JsonProperty(required = true) String kind, ObjectMeta metadata,
			@JsonProperty(required = true) TriggerAuthenticationSpec spec) {
	}

	record TriggerAuthenticationSpec(PodIdentity podIdentity, List<TargetRef> secretTargetRef,
			List<TargetRef> configMapTargetRef, List<Environment> env) {
	}

	record PodIdentity(@JsonProperty(required = true) String provider, String identityId, String identityTenantId,
			String identityAuthorityHost, String roleArn, String identityOwner) {
	}

	/** A key of a Secret or a ConfigMap, handed to the scaler as {@code parameter}. */
	record TargetRef(@JsonProperty(required = true) String parameter, @JsonProperty(required = true) String name,
			@JsonProperty(required = true) String key) {
	}

	/** An environment variable of the scaled workload's container. */
	record Environment(@JsonProperty(required = true) String parameter, @JsonProperty(required = true) String name,
			String containerName) {
	}

}
