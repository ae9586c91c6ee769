package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import tools.jackson.databind.JsonNode;

import org.springframework.data.redis.RedisSystemException;

/**
 * Group commit of finished jobs. A job that succeeds waits here while one flusher records
 * everything finished since its last round in one script ({@code complete-jobs.lua}):
 * alone, a job is recorded at once; under load, dozens share one round trip to Redis. A
 * job's slot is given back only once its success is recorded, so nothing is counted twice
 * and the read loop never runs ahead of Redis.
 */
final class Completions {

	/** The most jobs recorded by one script. */
	private static final int MAX_BATCH = 256;

	/**
	 * How long a job waits for its round: well past the longest one Redis command may
	 * take, after which its message stays pending and is reclaimed like any other
	 * unfinished job.
	 */
	private static final Duration WAIT = Duration.ofSeconds(10);

	private final JobQueue queue;

	private final BlockingQueue<Waiting> waiting = new LinkedBlockingQueue<>();

	private volatile Thread flusher;

	Completions(JobQueue queue) {
		this.queue = queue;
	}

	void start() {
		// A platform thread: see Worker.
		this.flusher = Thread.ofPlatform().daemon().name("worker-completions").start(this::flushLoop);
	}

	/** Stops the flusher; call it once no job is running any more. */
	void stop() {
		Thread current = this.flusher;
		if (current != null) {
			current.interrupt();
			try {
				current.join(WAIT);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Records a success, waiting for the round that carries it.
	 * @return {@code done}, or {@code stale} if another worker has taken the job over
	 * @throws InterruptedException if interrupted while waiting (shutting down past the
	 * deadline): the message stays pending
	 */
	String complete(JobQueue.Finished finished) throws InterruptedException {
		Waiting job = new Waiting(finished, new CompletableFuture<>());
		this.waiting.add(job);
		try {
			return job.outcome().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new RedisSystemException("Recording job " + finished.delivery().jobId() + " took longer than " + WAIT,
					ex);
		}
	}

	private void flushLoop() {
		List<Waiting> batch = new ArrayList<>();
		while (true) {
			try {
				batch.add(this.waiting.take());
			}
			catch (InterruptedException ex) {
				return;
			}
			this.waiting.drainTo(batch, MAX_BATCH - 1);
			try {
				List<String> outcomes = this.queue.complete(batch.stream().map(Waiting::finished).toList());
				for (int i = 0; i < batch.size(); i++) {
					batch.get(i).outcome().complete(outcomes.get(i));
				}
			}
			catch (RuntimeException ex) {
				// Redis away: each job's message stays pending and is reclaimed later.
				batch.forEach((job) -> job.outcome().completeExceptionally(ex));
			}
			batch.clear();
		}
	}

	private record Waiting(JobQueue.Finished finished, CompletableFuture<String> outcome) {
	}

}
