package dev.fulcrum.load;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-model load generator: requests arrive at the schedule's rate whatever the
 * answers do, as users arrive at a site, unlike a fixed number of clients that each wait
 * for their last answer (which slows the load down exactly when the stack is slow, and
 * hides how slow it is). Each request's latency runs from when it was due.
 * <p>
 * One thread paces the requests; each is sent from a virtual thread of its own over
 * {@link HttpConnections}' keep-alive connections. At most {@code maxInFlight} are under
 * way: past that the generator itself is the bottleneck, and a due request is counted as
 * failed with status -1 instead of sent.
 */
public final class OpenLoad {

	/** Status of a due request the generator could not send: too many under way. */
	public static final int NOT_SENT = -1;

	private OpenLoad() {
	}

	/**
	 * Runs the schedule to its end and waits for the last answers.
	 * @param connections to the server the requests go to
	 * @param schedule the rate over time
	 * @param requests the n-th request of the run
	 * @param maxInFlight the most requests under way
	 * @param observer called every second with the second and the timeline, to record
	 * what the stack looks like; may be {@code null}
	 * @return what happened each second
	 */
	public static Timeline run(HttpConnections connections, Schedule schedule, Requests requests, int maxInFlight,
			Observer observer) {
		int seconds = (int) Math.ceil(schedule.total().toMillis() / 1000.0);
		Timeline timeline = new Timeline(seconds);
		Semaphore inFlight = new Semaphore(maxInFlight);
		long total = schedule.total().toNanos();
		long start = System.nanoTime();
		ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
		ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
		if (observer != null) {
			watcher.scheduleAtFixedRate(() -> {
				int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
				if (second < seconds) {
					observer.observe(second, timeline);
				}
			}, 0, 1, TimeUnit.SECONDS);
		}
		try {
			double due = 0;
			long n = 0;
			while (due < total) {
				long wait = start + (long) due - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
				int second = (int) (due / 1e9);
				long dueAt = start + (long) due;
				timeline.offered(second);
				if (inFlight.tryAcquire()) {
					Request request = requests.next(n);
					senders.execute(() -> {
						int status;
						try {
							status = connections.exchange(request);
						}
						catch (IOException | RuntimeException ex) {
							status = 0;
						}
						timeline.answered(second, status, (System.nanoTime() - dueAt) / 1_000);
						// Released once recorded: the run ends when every permit is back.
						inFlight.release();
					});
				}
				else {
					timeline.notSent(second);
				}
				n++;
				due += 1e9 / schedule.at((long) due).rate();
			}
			// The last answers: each read has its own timeout.
			if (inFlight.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
				inFlight.release(maxInFlight);
			}
			// One still out after a minute counts as failed with no answer.
			timeline.closeUnanswered();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			watcher.shutdownNow();
			senders.shutdown();
		}
		return timeline;
	}

	/** The n-th request of a run. */
	@FunctionalInterface
	public interface Requests {

		Request next(long n);

	}

	/** Records what the stack looks like, once a second. */
	@FunctionalInterface
	public interface Observer {

		void observe(int second, Timeline timeline);

	}

	/**
	 * A client for what a run does besides its load (logging in, asking the gateway's
	 * management port): HTTP/1.1, pooled. Close it when done.
	 */
	public static HttpClient client() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

}
