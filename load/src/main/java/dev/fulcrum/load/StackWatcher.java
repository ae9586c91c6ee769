package dev.fulcrum.load;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Records, each second, what a local stack ({@code ./fulcrum up --home DIR}) looks like:
 * its api-service and worker-service instances from {@code stack.tsv}, and the job
 * queue's lag as its autoscaler last measured it ({@code scaling.properties}).
 */
public final class StackWatcher implements OpenLoad.Observer {

	private final Path home;

	public StackWatcher(Path home) {
		this.home = home;
	}

	@Override
	public void observe(int second, Timeline timeline) {
		timeline.observe(second, instances("api-service"), instances("worker-service"), queueLag());
	}

	int instances(String service) {
		try {
			List<String> lines = Files.readAllLines(this.home.resolve("stack.tsv"));
			return (int) lines.stream().skip(1).filter((line) -> line.split("\t")[1].equals(service)).count();
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	double queueLag() {
		Properties status = new Properties();
		try (Reader reader = Files.newBufferedReader(this.home.resolve("scaling.properties"))) {
			status.load(reader);
			return Double.parseDouble(status.getProperty("worker-service.metric", "0"));
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

}
