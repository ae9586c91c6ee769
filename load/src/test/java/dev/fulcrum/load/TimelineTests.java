package dev.fulcrum.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stretch's percentiles: of every answer, or of the successful ones only, so that
 * requests shed at once with a 503 do not pass for fast service; and how many successes
 * came within a second.
 */
class TimelineTests {

	@Test
	void succeededSummaryTakesItsPercentilesFromSuccessfulAnswersOnly() {
		Timeline timeline = new Timeline(2);
		for (int i = 0; i < 10; i++) {
			timeline.offered(i % 2);
			timeline.answered(i % 2, 200, 40_000);
		}
		for (int i = 0; i < 88; i++) {
			timeline.offered(i % 2);
			timeline.answered(i % 2, 503, 500);
		}
		for (int i = 0; i < 2; i++) {
			timeline.offered(i);
			timeline.answered(i, 200, 1_500_000);
		}

		Timeline.Summary all = timeline.summary(0, 2);
		Timeline.Summary succeeded = timeline.succeededSummary(0, 2);
		assertThat(all.p50Millis()).as("the quick 503s").isEqualTo(0.5);
		assertThat(succeeded.p50Millis()).isEqualTo(40.0);
		assertThat(succeeded.p99Millis()).as("the two 1.5 s successes").isEqualTo(1500.0);
		assertThat(succeeded.offered()).isEqualTo(all.offered()).isEqualTo(100);
		assertThat(succeeded.succeeded()).isEqualTo(12);
		assertThat(succeeded.succeededInTime()).as("within a second").isEqualTo(10).isEqualTo(all.succeededInTime());
		assertThat(succeeded.failures()).containsEntry(503, 88);
	}

}
