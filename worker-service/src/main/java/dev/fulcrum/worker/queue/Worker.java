package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.worker.handlers.JobContext;
import dev.fulcrum.worker.handlers.JobHandler;
import dev.fulcrum.worker.handlers.JobHandlers;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Drains the job stream of every shard of the queue ({@link WorkerShards}).
 * <ul>
 * <li>One reader per shard asks for at most as many messages as there are free slots
 * ({@code concurrency}, shared by the readers), so a busy worker never hoards work that
 * an idle one could do. Every {@code maintenanceInterval} it first takes over, with the
 * same slots, messages that another worker has held past the visibility timeout.</li>
 * <li>With more than one shard, a reader first reads what waits without blocking, with
 * every free slot; only when its shard has nothing does it wait for new messages, holding
 * its share of the slots ({@code concurrency / shards}, rounded up) and giving back the
 * rest to the other readers. Readers wait for free slots in turn (a fair semaphore), so a
 * busy shard cannot keep the others from their share.</li>
 * <li>Everything one read brings is claimed together (one script); each claimed job then
 * runs on its own virtual thread, by its type's {@link JobHandler}. Successes are
 * recorded in groups ({@link Completions}, one script for all that finished meanwhile), a
 * failure on its own. The reader and the flusher of successes are platform threads: they
 * wait on Redis most of the time, and virtual ones paid for unmounting and mounting their
 * stacks at every reply.</li>
 * <li>A failed attempt is retried after a backoff with full jitter (a random wait up to
 * {@code backoffBase * 2^(attempt-1)}, at most {@code backoffMax}); after
 * {@code maxAttempts} the job is dead.</li>
 * <li>Every {@code maintenanceInterval}: due retries are queued again; running jobs'
 * messages get a heartbeat every {@code heartbeatInterval}.</li>
 * <li>While the queue is idle (no job outstanding anywhere when last asked, and none read
 * here since) there is nothing to retry, reclaim or trim: every {@code idleCheckInterval}
 * (at most half the visibility timeout) the worker asks whether a job is outstanding and
 * looks for due retries and stalled messages (three commands), and otherwise spends
 * nothing but its blocking read. A job read here ends the idle spell at once; one
 * outstanding elsewhere, at the next check.</li>
 * <li>On shutdown: stop reading, give running jobs {@code shutdownDeadline} to finish,
 * leave the rest unacknowledged for other workers to reclaim.</li>
 * </ul>
 */
@Component
@EnableConfigurationProperties(WorkerProperties.class)
class Worker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(Worker.class);

	private final JobQueue queue;

	private final WorkerProperties properties;

	private final JobMetrics metrics;

	private final Completions completions;

	private final Slots slots;

	private final WorkerShards shards;

	private final Map<Delivery, Instant> running = new ConcurrentHashMap<>();

	private final Map<JobShard, Thread> readers = new ConcurrentHashMap<>();

	private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();

	private final ScheduledExecutorService maintenance = Executors
		.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("worker-maintenance").factory());

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private volatile boolean reading;

	/** Maintenance rounds so far; the stream is trimmed every tenth. */
	private long ticks;

	/** Idle checks so far. */
	private long idleChecks;

	/**
	 * Whether the queue is idle: no job outstanding when last asked, and none read here
	 * since. Set by the maintenance thread, read by the reader (no reclaim while idle).
	 */
	private volatile boolean idle;

	/** Whether the reader has read a job since the last maintenance round. */
	private volatile boolean readSince;

	/** While idle, when to ask again ({@link System#nanoTime()}). */
	private long nextIdleCheck;

	/**
	 * Counted up by each idle check: every reader then looks for stalled messages once.
	 */
	private final AtomicLong reclaimRounds = new AtomicLong();

	/**
	 * How often an idle worker checks: {@code idleCheckInterval}, at most half the
	 * visibility timeout, so that a worker that died holding jobs is noticed before its
	 * messages may be taken over.
	 */
	private final Duration idleCheck;

	private final JobTracing tracing;

	private final JobHandlers handlers;

	Worker(JobQueue queue, WorkerShards shards, WorkerProperties properties, JobMetrics metrics, JobTracing tracing,
			JobHandlers handlers) {
		this.queue = queue;
		this.shards = shards;
		this.tracing = tracing;
		this.handlers = handlers;
		this.properties = properties;
		this.metrics = metrics;
		this.completions = new Completions(queue);
		this.slots = new Slots(properties.concurrency());
		Duration half = properties.visibilityTimeout().dividedBy(2);
		this.idleCheck = (properties.idleCheckInterval().compareTo(half) < 0) ? properties.idleCheckInterval() : half;
	}

	@Override
	public void start() {
		this.reading = true;
		this.completions.start();
		List<JobShard> shards;
		try {
			shards = this.shards.refresh();
		}
		catch (RuntimeException ex) {
			// Redis away: the configured shards now, any more at a later maintenance
			// round.
			shards = this.shards.current();
		}
		shards.forEach(this::startReader);
		long period = this.properties.maintenanceInterval().toMillis();
		this.maintenance.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		this.reading = false;
		this.maintenance.shutdownNow();
		for (Thread reader : this.readers.values()) {
			try {
				reader.join(this.properties.readBlock().plusSeconds(1));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.jobs.shutdown();
		try {
			if (!this.jobs.awaitTermination(this.properties.shutdownDeadline().toMillis(), TimeUnit.MILLISECONDS)) {
				logger.warn(this.running.size() + " job(s) still running at the shutdown deadline; "
						+ "their messages stay pending for another worker to reclaim");
				this.jobs.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.completions.stop();
	}

	@Override
	public boolean isRunning() {
		return this.reading;
	}

	/**
	 * Stops before the web server (which keeps answering health while jobs finish) and
	 * before the Redis connection factory (phase 0), which the finishing jobs still need.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1024;
	}

	private void startReader(JobShard shard) {
		this.readers.computeIfAbsent(shard,
				(key) -> Thread.ofPlatform()
					.daemon()
					.name((shard.index() == 0) ? "worker-reader" : "worker-reader-" + shard.index())
					.start(() -> readLoop(shard)));
	}

	private void readLoop(JobShard shard) {
		// After a restart, this consumer's own unacknowledged messages come first, read
		// once from the start of its pending list; then new messages.
		String pendingFrom = "0";
		boolean groupReady = false;
		long nextReclaim = System.nanoTime();
		long reclaimRound = this.reclaimRounds.get();
		while (this.reading) {
			try {
				if (!groupReady) {
					this.queue.ensureGroup(shard);
					groupReady = true;
				}
				List<Held> taken;
				try (Slots.Lease lease = this.slots.takeFree()) {
					List<Delivery> deliveries = List.of();
					// Stalled messages first, from the same free slots. (Done here rather
					// than by the maintenance thread: the reader holds the free slots
					// while it waits for new messages, so another thread would rarely
					// find one.)
					long round = this.reclaimRounds.get();
					if ((!this.idle || round != reclaimRound) && System.nanoTime() - nextReclaim >= 0) {
						reclaimRound = round;
						nextReclaim = System.nanoTime() + this.properties.maintenanceInterval().toNanos();
						deliveries = this.queue.reclaim(shard, lease.size());
					}
					if (deliveries.isEmpty() && pendingFrom != null) {
						deliveries = this.queue.read(shard, lease.size(), pendingFrom);
						pendingFrom = deliveries.isEmpty() ? null : deliveries.getLast().messageId();
					}
					else if (deliveries.isEmpty()) {
						deliveries = readNew(shard, lease);
					}
					taken = new ArrayList<>(deliveries.size());
					for (Delivery delivery : deliveries) {
						taken.add(new Held(delivery, lease.handOn()));
					}
				}
				// The lease gave back every slot no delivery took.
				if (!taken.isEmpty()) {
					this.readSince = true;
					this.idle = false;
				}
				run(taken);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				// Make sure of the group again: Redis may have restarted without it.
				groupReady = false;
				logger.warn("Reading the job stream of " + shard + " failed; retrying in 1 s: " + ex.getMessage());
				sleepQuietly(Duration.ofSeconds(1));
			}
		}
	}

	/**
	 * New messages of a shard. With one shard, a blocking read with every free slot. With
	 * more, what waits first, with every free slot; if nothing does, a blocking read with
	 * the reader's share of the slots, the rest given back for the other shards' readers.
	 */
	private List<Delivery> readNew(JobShard shard, Slots.Lease lease) {
		int count = this.readers.size();
		if (count > 1) {
			List<Delivery> waiting = this.queue.readWaiting(shard, lease.size());
			if (!waiting.isEmpty()) {
				return waiting;
			}
			lease.keep(Math.max(1, (this.properties.concurrency() + count - 1) / count));
		}
		return this.queue.read(shard, lease.size(), null);
	}

	/**
	 * Claims deliveries whose slots are already taken, and runs the ones that may run.
	 * Whatever is not run gives its slot back, even when the claim fails (Redis away):
	 * the messages then stay pending and are reclaimed later.
	 */
	private void run(List<Held> taken) {
		List<Held> fresh = new ArrayList<>(taken.size());
		for (Held held : taken) {
			if (this.running.putIfAbsent(held.delivery(), Instant.now()) == null) {
				fresh.add(held);
			}
			else {
				// Already running here (handed back by a reclaim): one run is enough.
				held.slot().close();
			}
		}
		if (fresh.isEmpty()) {
			return;
		}
		List<JobQueue.Claim> claims;
		try {
			claims = this.queue.claim(fresh.stream().map(Held::delivery).toList());
		}
		catch (RuntimeException ex) {
			fresh.forEach(this::done);
			throw ex;
		}
		for (int i = 0; i < claims.size(); i++) {
			JobQueue.Claim claim = claims.get(i);
			Held held = fresh.get(i);
			if (claim == null) {
				this.metrics.outcome("skipped");
				done(held);
				continue;
			}
			this.jobs.execute(() -> {
				try {
					this.tracing.run(claim, () -> process(claim));
				}
				catch (RuntimeException ex) {
					// Redis went away mid-job: the message stays pending and is reclaimed
					// later.
					logger.warn("Job " + claim.delivery().jobId() + " left pending: " + ex.getMessage());
				}
				finally {
					done(held);
				}
			});
		}
	}

	private void done(Held held) {
		this.running.remove(held.delivery());
		held.slot().close();
	}

	private void process(JobQueue.Claim claim) {
		Delivery delivery = claim.delivery();
		long started = System.nanoTime();
		JobHandler handler = this.handlers.find(claim.type());
		JsonNode result;
		try {
			if (handler == null) {
				throw new IllegalStateException("unknown job type " + claim.type());
			}
			result = handler
				.run(new JobContext(delivery.jobId(), claim.idempotencyKey(), claim.attempt(), claim.payload()));
		}
		catch (InterruptedException ex) {
			// Shutting down past the deadline: leave the job for reclaim.
			Thread.currentThread().interrupt();
			return;
		}
		catch (Exception ex) {
			this.metrics.processed(claim.type(), Duration.ofNanos(System.nanoTime() - started));
			String outcome = this.queue.fail(delivery, describe(ex), retryAt(claim.attempt()));
			this.metrics.outcome(outcome);
			if ("dead".equals(outcome)) {
				this.metrics.finished("dead", claim.attempt());
			}
			logger.info("Job " + delivery.jobId() + " attempt " + claim.attempt() + " failed (" + outcome + "): "
					+ ex.getMessage());
			return;
		}
		this.metrics.processed(claim.type(), Duration.ofNanos(System.nanoTime() - started));
		String json = JSON.writeValueAsString(result);
		int bytes = utf8Length(json);
		if (bytes > this.properties.maxResultBytes()) {
			// The same job would return as much again: dead at once, and the result is
			// not stored.
			String outcome = this.queue.failFinally(delivery, "result-too-large: " + bytes
					+ " bytes of JSON, more than the " + this.properties.maxResultBytes() + " a result may have");
			this.metrics.outcome(outcome);
			if ("dead".equals(outcome)) {
				this.metrics.finished("dead", claim.attempt());
			}
			return;
		}
		try {
			String outcome = this.completions.complete(new JobQueue.Finished(delivery, json));
			if ("done".equals(outcome)) {
				this.metrics.outcome("succeeded");
				this.metrics.finished("succeeded", claim.attempt());
			}
			else {
				this.metrics.outcome(outcome);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** The length of a text in UTF-8, without encoding it. */
	static int utf8Length(String text) {
		int bytes = text.length();
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c >= 0x800) {
				// Three bytes, or four for a surrogate pair (two chars of two each).
				bytes += Character.isSurrogate(c) ? 1 : 2;
			}
			else if (c >= 0x80) {
				bytes += 1;
			}
		}
		return bytes;
	}

	private void maintain() {
		Round round = round();
		if (round == Round.NONE) {
			return;
		}
		List<JobShard> shards = this.shards.current();
		try {
			// Whether the api-services now use more shards: every tenth busy round,
			// every sixth idle check (a minute by default).
			if ((round == Round.IDLE) ? ++this.idleChecks % 6 == 0 : this.ticks % 10 == 0) {
				shards = this.shards.refresh();
				shards.forEach(this::startReader);
			}
			for (JobShard shard : shards) {
				this.queue.requeueDue(shard);
			}
			Instant stale = Instant.now().minus(this.properties.heartbeatInterval());
			List<Delivery> beating = this.running.entrySet()
				.stream()
				.filter((entry) -> entry.getValue().isBefore(stale))
				.map(Map.Entry::getKey)
				.toList();
			this.queue.heartbeat(beating);
			beating.forEach((id) -> this.running.replace(id, Instant.now()));
		}
		catch (RuntimeException ex) {
			logger.debug("Queue maintenance failed: " + ex.getMessage());
		}
		try {
			if (round == Round.BUSY && ++this.ticks % 10 == 0) {
				for (JobShard shard : shards) {
					this.queue.trim(shard);
				}
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Queue not trimmed: " + ex.getMessage());
		}
	}

	/** What a maintenance round does. */
	private enum Round {

		/** Nothing: the queue is idle and the next check is not due. */
		NONE,

		/** The idle check: due retries and stalled messages, no trim. */
		IDLE,

		/** Everything: retries, heartbeats, reclaim, and a trim every tenth round. */
		BUSY

	}

	/**
	 * Busy when jobs run or were read here since the last round, or when some job is
	 * outstanding anywhere (asked at most every idle check while idle). The round that
	 * finds the queue idle trims the stream once. Each idle check still looks for due
	 * retries and stalled messages itself: the outstanding count says that there is work,
	 * and the look costs two commands every {@code idleCheckInterval} should the count
	 * ever be wrong.
	 */
	private Round round() {
		boolean active = this.readSince || !this.running.isEmpty();
		this.readSince = false;
		if (active) {
			this.idle = false;
			return Round.BUSY;
		}
		long now = System.nanoTime();
		if (this.idle && now - this.nextIdleCheck < 0) {
			return Round.NONE;
		}
		boolean wasIdle = this.idle;
		try {
			this.idle = this.queue.outstanding(this.shards.current()) == 0;
		}
		catch (RuntimeException ex) {
			logger.debug("Queue maintenance failed: " + ex.getMessage());
			return Round.NONE;
		}
		if (!this.idle) {
			return Round.BUSY;
		}
		this.nextIdleCheck = now + this.idleCheck.toNanos();
		if (!wasIdle) {
			try {
				for (JobShard shard : this.shards.current()) {
					this.queue.trim(shard);
				}
			}
			catch (RuntimeException ex) {
				logger.debug("Queue not trimmed: " + ex.getMessage());
			}
		}
		this.reclaimRounds.incrementAndGet();
		return Round.IDLE;
	}

	/** Full jitter: a random wait up to the exponential bound. */
	private long retryAt(int attempt) {
		long bound = Math.min(this.properties.backoffMax().toMillis(),
				this.properties.backoffBase().toMillis() << Math.min(attempt - 1, 20));
		return System.currentTimeMillis() + ThreadLocalRandom.current().nextLong(bound + 1);
	}

	private static String describe(Exception ex) {
		String message = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
		return (message.length() > 500) ? message.substring(0, 500) : message;
	}

	private static void sleepQuietly(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A delivery and the slot it holds until it is done. */
	private record Held(Delivery delivery, Slots.Slot slot) {

	}

}
