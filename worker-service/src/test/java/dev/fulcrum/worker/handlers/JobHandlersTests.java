package dev.fulcrum.worker.handlers;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A worker runs every type of the contract, and only those: one handler each, checked
 * when it starts.
 */
class JobHandlersTests {

	@Test
	void findsTheHandlerOfEachTypeOfTheContract() throws Exception {
		JobHandlers handlers = new JobHandlers(all());

		assertThat(handlers.find("sleep")).isInstanceOf(SleepHandler.class);
		assertThat(handlers.find("unknown")).isNull();
		assertThat(handlers.find(null)).isNull();
		assertThat(handlers.find("echo")
			.run(new JobContext("j1", "k1", 1, JsonNodeFactory.instance.objectNode().put("a", 1)))
			.get("a")
			.asInt()).isEqualTo(1);
	}

	@Test
	void aTypeWithoutAHandlerStopsTheWorkerFromStarting() {
		List<JobHandler> withoutFlaky = all().stream().filter((handler) -> !"flaky".equals(handler.type())).toList();

		assertThatIllegalStateException().isThrownBy(() -> new JobHandlers(withoutFlaky))
			.withMessageContaining("flaky");
	}

	@Test
	void aHandlerForATypeTheContractDoesNotListStopsTheWorkerFromStarting() {
		JobHandler stray = new JobHandler() {

			@Override
			public String type() {
				return "stray";
			}

			@Override
			public JsonNode run(JobContext context) {
				return context.payload();
			}

		};
		List<JobHandler> handlers = new ArrayList<>(all());
		handlers.add(stray);

		assertThatIllegalStateException().isThrownBy(() -> new JobHandlers(handlers)).withMessageContaining("stray");
	}

	private static List<JobHandler> all() {
		return List.of(new EchoHandler(), new SleepHandler(), new ChecksumHandler(), new FlakyHandler(),
				new FailHandler());
	}

}
