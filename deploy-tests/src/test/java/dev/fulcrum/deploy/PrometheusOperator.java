package dev.fulcrum.deploy;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * The Prometheus Operator's {@code PodMonitor} ({@code monitoring.coreos.com/v1}) as
 * records, for {@link ManifestSchema}: the fabric8 Kubernetes model has no class for it,
 * and a record knows no field it does not declare.
 * <p>
 * The fields and their types are those of the operator's API reference
 * ({@code PodMonitorSpec}, {@code PodMetricsEndpoint}, {@code RelabelConfig},
 * {@code NamespaceSelector} in prometheus-operator's {@code pkg/apis/monitoring/v1});
 * required: {@code selector}. Left out: authentication and TLS settings of an endpoint
 * ({@code basicAuth}, {@code authorization}, {@code oauth2}, {@code tlsConfig}) and the
 * scrape limits; k8s/ uses none, so one fails here until its fields are written down.
 */
final class PrometheusOperator {

	private PrometheusOperator() {
	}

	record PodMonitor(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
			ObjectMeta metadata, @JsonProperty(required = true) PodMonitorSpec spec) {
	}

	record PodMonitorSpec(String jobLabel, List<String> podTargetLabels, List<PodMetricsEndpoint> podMetricsEndpoints,
			@JsonProperty(required = true) LabelSelector selector, NamespaceSelector namespaceSelector,
			String scrapeProtocols, String scrapeClass, Boolean attachMetadataNode) {
	}

	/** {@code port} is a container port's name; {@code interval} a duration as "15s". */
	record PodMetricsEndpoint(String port, Integer portNumber, String path, String scheme,
			Map<String, List<String>> params, String interval, String scrapeTimeout, Boolean honorLabels,
			Boolean honorTimestamps, Boolean trackTimestampsStaleness, List<RelabelConfig> metricRelabelings,
			List<RelabelConfig> relabelings, Boolean enableHttp2, Boolean filterRunning, Boolean followRedirects,
			String proxyUrl) {
	}

	record NamespaceSelector(Boolean any, List<String> matchNames) {
	}

	record RelabelConfig(List<String> sourceLabels, String separator, String targetLabel, String regex, Long modulus,
			String replacement, String action) {
	}

}
