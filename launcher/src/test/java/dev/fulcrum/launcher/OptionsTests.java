package dev.fulcrum.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class OptionsTests {

	static final Path HOME = Path.of("/tmp/fulcrum-home");

	@Test
	void startsTwoApisAndTwoWorkersByDefaultFromFourCoresOneOfEachOnFewer() {
		assertThat(Options.defaultReplicas(1)).isEqualTo(1);
		assertThat(Options.defaultReplicas(2)).isEqualTo(1);
		assertThat(Options.defaultReplicas(3)).isEqualTo(1);
		assertThat(Options.defaultReplicas(4)).isEqualTo(2);
		assertThat(Options.defaultReplicas(16)).isEqualTo(2);
		Options options = Options.parse(List.of("up"), HOME, 2);
		assertThat(options.apiReplicas()).isEqualTo(2);
		assertThat(options.workerReplicas()).isEqualTo(2);
		assertThat(options.portOffset()).isZero();
		assertThat(options.home()).isEqualTo(HOME);
		Options small = Options.parse(List.of("up"), HOME, 1);
		assertThat(small.apiReplicas()).isOne();
		assertThat(small.workerReplicas()).isOne();
		assertThat(Options.parse(List.of("up", "--api", "2"), HOME, 1).apiReplicas()).as("asked for").isEqualTo(2);
		int cores = Runtime.getRuntime().availableProcessors();
		assertThat(Options.parse(List.of("up"), HOME).apiReplicas()).as("this machine's %d cores", cores)
			.isEqualTo(Options.defaultReplicas(cores));
	}

	@Test
	void readsValuesInBothSpellings() {
		Options options = Options.parse(List.of("up", "--api", "3", "--workers=4", "--timeout", "60"), HOME);
		assertThat(options.apiReplicas()).isEqualTo(3);
		assertThat(options.workerReplicas()).isEqualTo(4);
		assertThat(options.startTimeout()).isEqualTo(Duration.ofSeconds(60));
		assertThat(options.tracing()).isFalse();
		assertThat(Options.parse(List.of("up", "--tracing"), HOME).tracing()).isTrue();
	}

	@Test
	void takesTheServiceWhoseLogsToShow() {
		Options options = Options.parse(List.of("logs", "api-service", "--no-follow"), HOME);
		assertThat(options.logsOf()).isEqualTo("api-service");
		assertThat(options.follow()).isFalse();
	}

	@Test
	void autoscalesAComposeProjectByItsName() {
		Options options = Options.parse(List.of("autoscale-compose", "fulcrum", "--max-api", "3"), HOME);
		assertThat(options.logsOf()).isEqualTo("fulcrum");
		assertThat(options.autoscale()).isTrue();
		assertThat(options.maxApi()).isEqualTo(3);
		assertThat(options.maxWorkers()).isEqualTo(4);
		assertThat(Options.parse(List.of("autoscale-compose", "fulcrum", "--max-api", "1", "--max-workers", "1"), HOME)
			.maxWorkers()).as("as low as one").isEqualTo(1);
		assertUsageError(List.of("autoscale-compose"), "needs the compose project's name");
		assertUsageError(List.of("autoscale-compose", "fulcrum", "--api", "2"), "unknown option '--api'");
	}

	@Test
	void rejectsUnknownCommandsOptionsAndValues() {
		assertUsageError(List.of("start"), "unknown command 'start'");
		assertUsageError(List.of("up", "--replicas", "3"), "unknown option '--replicas' for up");
		assertUsageError(List.of("down", "--api", "3"), "unknown option '--api' for down");
		assertUsageError(List.of("up", "--api", "zero"), "--api takes a whole number from 1 to 20, not 'zero'");
		assertUsageError(List.of("up", "--workers", "21"), "--workers takes a whole number from 1 to 20, not '21'");
		assertUsageError(List.of("up", "--api"), "option --api needs a value");
		assertUsageError(List.of("up", "--free-ports", "--port-offset", "5"), "exclude each other");
		assertUsageError(List.of("status", "extra"), "unexpected argument 'extra' for status");
		assertUsageError(List.of("up", "--lb", "fastest"), "--lb takes one of round-robin, random");
		assertUsageError(List.of("up", "--max-api", "6"), "go with --autoscale");
		assertUsageError(List.of("up", "--autoscale", "--api", "3", "--max-api", "2"), "cannot be below");
		assertUsageError(List.of("status", "--autoscale"), "unknown option '--autoscale' for status");
	}

	@Test
	void autoscalesFromOneToFourByDefault() {
		Options fixed = Options.parse(List.of("up"), HOME, 2);
		assertThat(fixed.autoscale()).isFalse();
		Options scaled = Options.parse(List.of("up", "--autoscale", "--max-workers=6"), HOME, 2);
		assertThat(scaled.autoscale()).isTrue();
		assertThat(scaled.maxApi()).isEqualTo(4);
		assertThat(scaled.maxWorkers()).isEqualTo(6);
	}

	private static void assertUsageError(List<String> args, String message) {
		assertThatExceptionOfType(LauncherException.class).isThrownBy(() -> Options.parse(args, HOME))
			.withMessageContaining(message)
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(2));
	}

}
