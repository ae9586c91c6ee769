package dev.fulcrum.load;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab's reading of the gateway's {@code /actuator/balancing}, and its table. The lab
 * itself runs against a compose stack in ComposeSystemTests.
 */
class ScalingLabTests {

	private static final String BALANCING = """
			{"routes":{"api":{"service":"api-service","strategy":"round-robin","instances":[
			{"instance":"http://172.18.0.5:8091","weight":1,"inFlight":0,"requests":10,"errors":0,"latencyMillis":2.1,
			"healthy":true,"ejected":false,"ejections":0,"draining":false,"warmthPercent":100},
			{"instance":"http://172.18.0.6:8091","weight":1,"inFlight":0,"requests":1,"errors":0,"latencyMillis":2.5,
			"healthy":true,"ejected":false,"ejections":0,"draining":false,"warmthPercent":%d}]},
			"auth":{"service":"auth-service","strategy":"round-robin","instances":[
			{"instance":"http://172.18.0.3:8081","weight":1,"inFlight":0,"requests":3,"errors":0,"latencyMillis":9.0,
			"healthy":false,"ejected":false,"ejections":0,"draining":false,"warmthPercent":100}]}},
			"strategies":["round-robin","random"]}
			""";

	@Test
	void theServiceIsBalancedWhenEachOfItsInstancesIsHealthyAndWarm() {
		assertThat(ScalingLab.balanced(BALANCING.formatted(100), "api-service", 2)).isTrue();
		// An instance of another service that is down does not count.
		assertThat(ScalingLab.balanced(BALANCING.formatted(100), "auth-service", 1)).isFalse();
		assertThat(ScalingLab.balanced(BALANCING.formatted(40), "api-service", 2)).as("one still warming").isFalse();
		assertThat(ScalingLab.balanced(BALANCING.formatted(100), "api-service", 3)).as("one not there yet").isFalse();
		assertThat(ScalingLab.balanced(BALANCING.formatted(100), "api-service", 1)).as("one too many").isFalse();
		assertThat(ScalingLab.balanced(BALANCING.formatted(100).replace("\"draining\":false", "\"draining\":true"),
				"api-service", 2))
			.as("draining")
			.isFalse();
	}

	@Test
	void theTableGivesTheEfficiencyAgainstOneReplicaAndWhatRanOut() {
		List<ScalingLab.Point> points = List.of(
				point("horizontal", 1, 0.5, 1, 200, Map.of("api-service", 2.4e6, "redis-commands", 4.5)),
				point("horizontal", 2, 0.5, 1, 360, Map.of("api-service", 2.5e6, "gateway", 1.0e6)),
				point("gateway", 4, 0, 0.5, 400, Map.of("gateway", 1.2e6)));

		String table = ScalingLab.table(points, 2);

		assertThat(table).contains("| horizontal | 1 x 0.50 cores | 1.00 cores | 200 |")
			.contains("| 100 % | api-service 96 % |")
			// 360 / (2 x 200)
			.contains("| horizontal | 2 x 0.50 cores | 1.00 cores | 360 |")
			.contains("| 90 % | api-service 90 % |")
			// The gateway's series has no efficiency; 1.2 ms x 400/s = 0.48 of 0.5 cores.
			.contains("| gateway | 4, no quota | 0.50 cores | 400 |")
			.contains("| - | gateway 96 % |")
			// CPU in milliseconds per request, Redis commands per request.
			.contains("| - | 2.40 | - | - | - | - | 4.5 |");
	}

	private static ScalingLab.Point point(String series, int replicas, double cpus, double gatewayCpus, double rate,
			Map<String, Double> perRequest) {
		Timeline.Summary summary = new Timeline.Summary(10, (long) (rate * 10), (long) (rate * 10), Map.of(), 5, 50,
				80);
		RateSearch.Step best = new RateSearch.Step(rate, summary, true, perRequest);
		return new ScalingLab.Point(series, replicas, cpus, gatewayCpus, new RateSearch.Result(List.of(best), best));
	}

}
