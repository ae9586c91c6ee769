package dev.fulcrum.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.fulcrum.launcher.AotCache.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.fulcrum.launcher.AotCache.Training.REFRESH;
import static dev.fulcrum.launcher.AotCache.Training.UNDER_LOAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Where a service's AOT cache lives and when it counts as trained: a folder of its own
 * for each jar, JDK, set of options and way of training, complete once its stamp is
 * written; which training a stack gets; what a training stack runs. The training itself
 * runs in the system tests, on the real jars.
 */
class AotCacheTests {

	@TempDir
	Path root;

	@Test
	void eachJarAndSetOfOptionsHasAFolderOfItsOwnTrainedOnceItsStampIsWritten() throws Exception {
		Path jar = apiServiceJar();
		StackPlan.Layout layout = layout(List.of("-Xmx256m"));
		Path folder = AotCache.folder(layout, "api-service", REFRESH);
		assertThat(folder.getParent()).isEqualTo(this.root.resolve("api-service/target/aot"));
		assertThat(AotCache.current(layout, "api-service", REFRESH)).as("never trained").isFalse();

		Files.createDirectories(folder);
		Files.write(AotCache.cache(folder, "api-service"), new byte[] { 0 });
		assertThat(AotCache.current(layout, "api-service", REFRESH)).as("no stamp: cut short").isFalse();
		Files.writeString(folder.resolve(AotCache.STAMP), AotCache.stamp(layout, "api-service", REFRESH));
		assertThat(AotCache.current(layout, "api-service", REFRESH)).isTrue();

		assertThat(AotCache.folder(layout(List.of("-Xmx512m")), "api-service", REFRESH)).as("other options")
			.isNotEqualTo(folder);
		assertThat(AotCache.current(layout(List.of("-Xmx512m")), "api-service", REFRESH)).isFalse();
		Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
		assertThat(AotCache.folder(layout, "api-service", REFRESH)).as("a rebuilt jar").isNotEqualTo(folder);
		assertThat(AotCache.current(layout, "api-service", REFRESH)).isFalse();
	}

	@Test
	void aCacheTrainedUnderLoadHasAFolderOfItsOwn() throws Exception {
		apiServiceJar();
		StackPlan.Layout layout = layout(List.of("-Xmx256m"));
		assertThat(AotCache.folder(layout, "api-service", UNDER_LOAD))
			.isNotEqualTo(AotCache.folder(layout, "api-service", REFRESH));
		assertThat(AotCache.stamp(layout, "api-service", UNDER_LOAD)).contains("training=under_load");
	}

	@Test
	void c2IsTrainedUnderLoadAndC1ToRefreshUnlessTheSettingSays() {
		assertThat(Training.of(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), null)).isEqualTo(REFRESH);
		assertThat(Training.of(List.of("-Xmx256m"), null)).as("full JIT").isEqualTo(UNDER_LOAD);
		assertThat(Training.of(List.of("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4"), null))
			.as("the last option wins, as for the JVM")
			.isEqualTo(UNDER_LOAD);
		assertThat(Training.of(List.of("-Xmx256m"), "refresh")).isEqualTo(REFRESH);
		assertThat(Training.of(List.of("-XX:TieredStopAtLevel=1"), "load")).isEqualTo(UNDER_LOAD);
		assertThat(Training.of(List.of(), " ")).as("blank: the default").isEqualTo(UNDER_LOAD);
		assertThatExceptionOfType(LauncherException.class).isThrownBy(() -> Training.of(List.of(), "always"))
			.withMessageContaining("FULCRUM_AOT_TRAINING");
	}

	@Test
	void theTrainingMixRunsThirtySecondsUnlessTheSettingSays() {
		assertThat(Fulcrum.trainingWorkload(Map.of())).isEqualTo(Duration.ofSeconds(30));
		assertThat(Fulcrum.trainingWorkload(Map.of("FULCRUM_AOT_TRAINING_SECONDS", "5")))
			.isEqualTo(Duration.ofSeconds(5));
		for (String wrong : List.of("0", "-3", "3601", "30s", "many")) {
			assertThatExceptionOfType(LauncherException.class)
				.isThrownBy(() -> Fulcrum.trainingWorkload(Map.of("FULCRUM_AOT_TRAINING_SECONDS", wrong)))
				.as(wrong)
				.withMessageContaining("FULCRUM_AOT_TRAINING_SECONDS");
		}
	}

	@Test
	void aTrainingPlanRecordsEveryJavaServicesCacheInsteadOfStartingFromIt() {
		StackPlan.Layout layout = layout(List.of("-Xmx256m"))
			.withAotCaches(Map.of("gateway", this.root.resolve("gateway/target/aot/a"), "api-service",
					this.root.resolve("api-service/target/aot/b")));
		List<Instance> plan = StackPlan.plan(
				Options.parse(List.of("up", "--free-ports", "--api", "1", "--workers", "1"), this.root), layout, null,
				RedisUsers.generate(), "token");
		List<Instance> recording = StackPlan.recordingAotCaches(plan);
		Instance gateway = recording.stream().filter((i) -> i.service().equals("gateway")).findFirst().orElseThrow();
		assertThat(gateway.command()).contains(
				"-XX:AOTCacheOutput=" + this.root.resolve("gateway/target/aot/a/gateway.aot"),
				this.root.resolve("gateway/target/aot/a/gateway.jar").toString());
		assertThat(recording).allSatisfy(
				(instance) -> assertThat(instance.command()).noneMatch((word) -> word.startsWith("-XX:AOTCache=")));
		assertThat(recording).extracting(Instance::environment)
			.isEqualTo(plan.stream().map(Instance::environment).toList());
	}

	@Test
	void aServiceRunsFromTheExtractedJarNextToItsCache() {
		Path folder = Path.of("/repo/gateway/target/aot/0123456789abcdef");
		assertThat(AotCache.jar(folder, "gateway")).isEqualTo(folder.resolve("gateway.jar"));
		assertThat(AotCache.cache(folder, "gateway")).isEqualTo(folder.resolve("gateway.aot"));
	}

	private Path apiServiceJar() throws IOException {
		Path jar = this.root.resolve("api-service/target/api-service.jar");
		Files.createDirectories(jar.getParent());
		Files.write(jar, new byte[] { 1, 2, 3 });
		return jar;
	}

	@Test
	void aFailedTrainingUnderLoadFallsBackToRefreshAndIsNotTriedAgainForTheSameBuild() throws Exception {
		apiServiceJar();
		// No JDK at /jdk: every training fails at once, as a real one might after
		// minutes.
		StackPlan.Layout layout = layout(List.of("-Xmx256m"));
		ByteArrayOutputStream first = new ByteArrayOutputStream();
		Map<String, Path> folders = AotCache.prepare(layout, List.of("api-service"), UNDER_LOAD, Duration.ofSeconds(1),
				new PrintStream(first, true, StandardCharsets.UTF_8));
		assertThat(folders).as("starts from the plain jar").isEmpty();
		assertThat(first.toString(StandardCharsets.UTF_8)).contains("under load (once per build")
			.contains("training under load failed")
			.contains("Training the AOT cache of api-service to refresh");
		assertThat(AotCache.failedUnderLoad(layout, "api-service")).isTrue();
		assertThat(AotCache.folder(layout, "api-service", UNDER_LOAD).resolve(AotCache.FAILED)).isNotEmptyFile();

		// Once the fallback is trained (here: written by hand), the next up runs from it
		// and does not train under load again.
		Path refresh = AotCache.folder(layout, "api-service", REFRESH);
		Files.createDirectories(refresh);
		Files.write(AotCache.cache(refresh, "api-service"), new byte[] { 0 });
		Files.writeString(refresh.resolve(AotCache.STAMP), AotCache.stamp(layout, "api-service", REFRESH));
		ByteArrayOutputStream second = new ByteArrayOutputStream();
		folders = AotCache.prepare(layout, List.of("api-service"), UNDER_LOAD, Duration.ofSeconds(1),
				new PrintStream(second, true, StandardCharsets.UTF_8));
		assertThat(folders).containsEntry("api-service", refresh);
		assertThat(second.toString(StandardCharsets.UTF_8)).doesNotContain("Training")
			.contains("training under load failed for this build");

		// A new build is tried under load again.
		Files.setLastModifiedTime(layout.jar("api-service"), FileTime.from(Instant.now().plusSeconds(5)));
		assertThat(AotCache.failedUnderLoad(layout, "api-service")).isFalse();
	}

	private StackPlan.Layout layout(List<String> options) {
		return new StackPlan.Layout(this.root, this.root.resolve(".fulcrum"), "/jdk/bin/java", options, Map.of());
	}

}
