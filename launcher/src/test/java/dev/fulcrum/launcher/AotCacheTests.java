package dev.fulcrum.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a service's AOT cache lives and when it counts as trained: a folder of its own
 * for each jar, JDK and set of options, complete once its stamp is written. The training
 * itself runs in the system tests, on the real jars.
 */
class AotCacheTests {

	@TempDir
	Path root;

	@Test
	void eachJarAndSetOfOptionsHasAFolderOfItsOwnTrainedOnceItsStampIsWritten() throws Exception {
		Path jar = this.root.resolve("api-service/target/api-service.jar");
		Files.createDirectories(jar.getParent());
		Files.write(jar, new byte[] { 1, 2, 3 });
		StackPlan.Layout layout = layout(List.of("-Xmx256m"));
		Path folder = AotCache.folder(layout, "api-service");
		assertThat(folder.getParent()).isEqualTo(this.root.resolve("api-service/target/aot"));
		assertThat(AotCache.current(layout, "api-service")).as("never trained").isFalse();

		Files.createDirectories(folder);
		Files.write(AotCache.cache(folder, "api-service"), new byte[] { 0 });
		assertThat(AotCache.current(layout, "api-service")).as("no stamp: cut short").isFalse();
		Files.writeString(folder.resolve(AotCache.STAMP), AotCache.stamp(layout, "api-service"));
		assertThat(AotCache.current(layout, "api-service")).isTrue();

		assertThat(AotCache.folder(layout(List.of("-Xmx512m")), "api-service")).as("other options")
			.isNotEqualTo(folder);
		assertThat(AotCache.current(layout(List.of("-Xmx512m")), "api-service")).isFalse();
		Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
		assertThat(AotCache.folder(layout, "api-service")).as("a rebuilt jar").isNotEqualTo(folder);
		assertThat(AotCache.current(layout, "api-service")).isFalse();
	}

	@Test
	void aServiceRunsFromTheExtractedJarNextToItsCache() {
		Path folder = Path.of("/repo/gateway/target/aot/0123456789abcdef");
		assertThat(AotCache.jar(folder, "gateway")).isEqualTo(folder.resolve("gateway.jar"));
		assertThat(AotCache.cache(folder, "gateway")).isEqualTo(folder.resolve("gateway.aot"));
	}

	private StackPlan.Layout layout(List<String> options) {
		return new StackPlan.Layout(this.root, this.root.resolve(".fulcrum"), "/jdk/bin/java", options, Map.of());
	}

}
