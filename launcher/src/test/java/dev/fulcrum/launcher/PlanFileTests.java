package dev.fulcrum.launcher;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code up} hands its supervisor: every instance, with its command and environment
 * (passwords included, so readable by its owner only), and what to scale.
 */
class PlanFileTests {

	@TempDir
	Path home;

	@Test
	void keepsEveryInstanceAndTheAutoscalingExactly() throws Exception {
		StackPlan.Layout layout = new StackPlan.Layout(Path.of("/repo"), this.home, "/jdk/bin/java",
				List.of("-Xmx256m", "-Dodd=a b=c"), Map.of());
		List<Instance> instances = StackPlan.plan(
				Options.parse(List.of("up", "--autoscale", "--max-api", "5"), this.home), layout, null,
				RedisUsers.generate(), "t0ken");
		Autoscaling autoscaling = new Autoscaling(true, Duration.ofSeconds(3), 0.25, 40, 5, 4, Duration.ofSeconds(20));
		PlanFile.Plan plan = new PlanFile.Plan(instances, autoscaling, URI.create("redis://:p%40ss@127.0.0.1:6379"),
				"http://127.0.0.1:9080");

		PlanFile.write(this.home, plan);

		assertThat(PlanFile.read(this.home)).isEqualTo(plan);
		assertThat(Files.getPosixFilePermissions(this.home.resolve(PlanFile.FILE)))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
	}

}
