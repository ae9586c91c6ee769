package dev.fulcrum.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Every object of every variant under {@code k8s/}, as {@code kubectl kustomize} renders
 * it, fits the schema of its kind ({@link ManifestSchema}): no unknown or misspelt field
 * anywhere, no value of the wrong type, no {@code apiVersion} and {@code kind} a cluster
 * would not know, KEDA's kinds included. What a cluster would refuse at apply time fails
 * here, without one. The checker itself is held to failing on each kind of mistake, so
 * that it cannot quietly turn lenient.
 */
class ManifestSchemaTests {

	/** A small valid Deployment, for the checker's own tests to break. */
	private static final String DEPLOYMENT = """
			apiVersion: apps/v1
			kind: Deployment
			metadata:
			  name: gateway
			spec:
			  selector:
			    matchLabels:
			      app: gateway
			  template:
			    metadata:
			      labels:
			        app: gateway
			    spec:
			      containers:
			        - name: gateway
			          image: fulcrum/gateway:local
			          ports:
			            - name: http
			              containerPort: 8080
			          env:
			            - name: SERVER_PORT
			              value: "8080"
			          readinessProbe:
			            httpGet:
			              path: /actuator/health/readiness
			              port: http
			          resources:
			            limits:
			              cpu: 1
			              memory: 512Mi
			""";

	/** A small valid ScaledObject, likewise. */
	private static final String SCALED_OBJECT = """
			apiVersion: keda.sh/v1alpha1
			kind: ScaledObject
			metadata:
			  name: worker-service
			spec:
			  scaleTargetRef:
			    name: worker-service
			  minReplicaCount: 1
			  maxReplicaCount: 20
			  triggers:
			    - type: redis-streams
			      metadata:
			        stream: fulcrum:{jobs}:stream
			        lagCount: "100"
			      authenticationRef:
			        name: redis
			""";

	@ParameterizedTest
	@MethodSource("dev.fulcrum.deploy.KustomizeTests#variants")
	void everyRenderedObjectFitsTheSchemaOfItsKind(KustomizeTests.Variant variant) {
		Rendered rendered = KustomizeTests.render(variant);
		List<String> problems = new ArrayList<>();
		for (Map<String, Object> object : rendered.objects()) {
			try {
				ManifestSchema.parse(object);
			}
			catch (IllegalArgumentException ex) {
				problems.add(ex.getMessage());
			}
		}
		assertThat(problems)
			.withFailMessage("objects of %s that a cluster would refuse:%n%s", variant, String.join("\n", problems))
			.isEmpty();
		// Not vacuous: the kinds that matter most were among those checked.
		assertThat(rendered.names("Deployment")).isNotEmpty();
		assertThat(rendered.names("ScaledObject")).isNotEmpty();
		assertThat(rendered.names("TriggerAuthentication")).isNotEmpty();
	}

	@Test
	void parsesEachKindIntoItsOwnType() {
		assertThat(ManifestSchema.parse(yaml(DEPLOYMENT))).isInstanceOf(Deployment.class);
		assertThat(ManifestSchema.parse(yaml(SCALED_OBJECT))).isInstanceOf(Keda.ScaledObject.class);
	}

	@Test
	void failsOnAMisspeltFieldNamingTheObjectAndThePath() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(DEPLOYMENT.replace("readinessProbe", "readinesProbe"))))
			.withMessageStartingWith(
					"Deployment gateway (apps/v1): at spec.template.spec.containers[0].readinesProbe: ")
			.withMessageContaining("Unrecognized field \"readinesProbe\"");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(DEPLOYMENT.replace("ports:", "portz:"))))
			.withMessageContaining("at spec.template.spec.containers[0].portz: ");
	}

	@Test
	void failsOnAFieldAtTheWrongLevel() {
		// containers belong to the pod template's spec, not to the Deployment's.
		String misplaced = DEPLOYMENT.replace("  selector:", "  containers: []\n  selector:");
		assertThatIllegalArgumentException().isThrownBy(() -> ManifestSchema.parse(yaml(misplaced)))
			.withMessageContaining("at spec.containers: ");
	}

	@Test
	void failsOnAValueOfTheWrongType() {
		assertThatIllegalArgumentException().isThrownBy(
				() -> ManifestSchema.parse(yaml(DEPLOYMENT.replace("containerPort: 8080", "containerPort: \"8080\""))))
			.withMessageContaining("at spec.template.spec.containers[0].ports[0].containerPort: ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(DEPLOYMENT.replace("value: \"8080\"", "value: 8080"))))
			.withMessageContaining("at spec.template.spec.containers[0].env[0].value: ");
	}

	@Test
	void failsOnAnApiVersionOrKindTheModelDoesNotKnow() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(DEPLOYMENT.replace("apps/v1", "apps/v2"))))
			.withMessage("Deployment gateway: apiVersion apps/v2 has no kind Deployment"
					+ " (neither in the fabric8 Kubernetes model nor among the custom resources known here)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet"))))
			.withMessageContaining("has no kind Deploymnet");
	}

	@Test
	void holdsKedaObjectsToKedasFieldsToo() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(SCALED_OBJECT.replace("minReplicaCount", "minReplicas"))))
			.withMessageStartingWith("ScaledObject worker-service (keda.sh/v1alpha1): at spec.minReplicas: ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(SCALED_OBJECT.replace("lagCount: \"100\"", "lagCount: 100"))))
			.withMessageContaining("at spec.triggers[0].metadata.lagCount: ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(SCALED_OBJECT.replace("- type: redis-streams", "- typ: x"))))
			.withMessageContaining("at spec.triggers[0]");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(SCALED_OBJECT.replace("  name: worker-service\n  min",
					"  name: worker-service\n  fallback:\n    replicas: 2\n  min"))))
			.withMessageContaining("at spec.fallback")
			.withMessageContaining("failureThreshold");
	}

	@Test
	void holdsPodMonitorsToThePrometheusOperatorsFields() {
		String podMonitor = """
				apiVersion: monitoring.coreos.com/v1
				kind: PodMonitor
				metadata:
				  name: fulcrum-workers
				spec:
				  selector:
				    matchLabels:
				      app.kubernetes.io/name: worker-service
				  podMetricsEndpoints:
				    - port: http
				      interval: 15s
				      honorLabels: true
				""";
		assertThat(ManifestSchema.parse(yaml(podMonitor))).isInstanceOf(PrometheusOperator.PodMonitor.class);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(podMonitor.replace("honorLabels", "honourLabels"))))
			.withMessageStartingWith(
					"PodMonitor fulcrum-workers (monitoring.coreos.com/v1): at spec.podMetricsEndpoints[0].honourLabels: ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManifestSchema.parse(yaml(podMonitor.replace("interval: 15s", "interval: 15"))))
			.withMessageContaining("at spec.podMetricsEndpoints[0].interval: ");
	}

	private static Map<String, Object> yaml(String text) {
		return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
	}

}
