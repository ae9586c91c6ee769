package dev.fulcrum.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training the AOT caches under load (JEP 515 profiles of the request paths, for C2):
 * {@code ./fulcrum up} with {@code FULCRUM_AOT_TRAINING=load} runs the mix on a private
 * stack whose JVMs record their caches as they stop, then starts the real stack from
 * those caches, and leaves nothing of the training behind. The services run with the
 * default C1 options here, to keep the run short: the training is the same as with C2,
 * where its profiles pay off (docs/benchmarks.md).
 */
class AotTrainingSystemTests {

	private static final Pattern AOT_CACHE = Pattern.compile("-XX:AOTCache=(\\S+)");

	@Test
	@Timeout(value = 7, unit = TimeUnit.MINUTES)
	void theFirstUpTrainsEveryCacheUnderLoadAndTheStackStartsFromThem() throws Exception {
		try (LocalStack stack = LocalStack.up(
				Map.of("FULCRUM_AOT_TRAINING", "load", "FULCRUM_AOT_TRAINING_SECONDS", "5"), "--api", "1", "--workers",
				"1")) {
			List<LocalStack.Entry> services = stack.instances()
				.stream()
				.filter((entry) -> !List.of("redis", "supervisor").contains(entry.service()))
				.toList();
			assertThat(services).extracting(LocalStack.Entry::service)
				.containsExactlyInAnyOrder("auth-service", "api-service", "worker-service", "gateway");
			for (LocalStack.Entry entry : services) {
				String commandLine = Files.readString(Path.of("/proc", String.valueOf(entry.pid()), "cmdline"))
					.replace('\0', ' ');
				Matcher cache = AOT_CACHE.matcher(commandLine);
				if (!cache.find()) {
					// A JDK before 25: no AOT cache at all (LocalStackSystemTests checks
					// which).
					assertThat(commandLine).as(entry.instance()).doesNotContain("-XX:AOTCacheOutput");
					continue;
				}
				Path file = Path.of(cache.group(1));
				assertThat(Files.readString(file.resolveSibling("stamp"))).as(entry.instance() + "'s cache")
					.contains("training=under_load");
				assertThat(Files.readString(Path.of("/proc", String.valueOf(entry.pid()), "maps")))
					.as(entry.instance() + " maps its cache")
					.contains(file.toString());
			}
			assertThat(stack.liveProcesses()).as("only the stack runs: the training stack is stopped")
				.extracting(ProcessHandle::pid)
				.allMatch((pid) -> stack.instances().stream().anyMatch((entry) -> entry.pid() == pid));
			try (var left = Files.list(stack.home)) {
				assertThat(left.map((path) -> path.getFileName().toString()))
					.as("the training stack's folder is removed")
					.noneMatch((name) -> name.startsWith("aot-training-"));
			}
		}
	}

}
