package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fulcrum.launcher.StackState.Running;

/**
 * The supervisor of a local stack, started by {@code up} and stopped first by
 * {@code down}: a small JVM that does what compose's {@code restart} and a Kubernetes
 * Deployment with its HorizontalPodAutoscaler do.
 * <ul>
 * <li>An instance whose process is gone is started again after a back-off (1 s, doubling
 * up to 60 s, reset once it has run for a minute), its log kept.</li>
 * <li>With {@code --autoscale}, every period it measures the api-service's CPU and the
 * job queue's lag, asks a {@link HorizontalAutoscaler} per service for the replicas, and
 * starts or stops instances. A new api-service instance enters the gateway's file once it
 * is ready (the gateway then ramps its share up: slow start); one to be stopped is marked
 * draining, stopped once the gateway has none of its requests in flight, then
 * removed.</li>
 * </ul>
 * Every decision is logged with its reason, and {@code ./fulcrum status} shows the
 * replicas and the last decisions ({@value #STATUS}).
 */
public final class Supervisor {

	static final String SERVICE = "supervisor";

	/**
	 * The launcher's hidden command that runs the supervisor: {@code supervise <home>}.
	 */
	static final String COMMAND = "supervise";

	/** Touched every second: {@code status} tells a hung supervisor from a live one. */
	static final String HEARTBEAT = "supervisor.heartbeat";

	/** The replicas, the metrics and the last decisions, for {@code status}. */
	static final String STATUS = "scaling.properties";

	static final Duration TICK = Duration.ofSeconds(1);

	static final Duration MAX_BACK_OFF = Duration.ofSeconds(60);

	/** Running this long after a restart resets the back-off. */
	static final Duration STABLE = Duration.ofSeconds(60);

	static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

	private static final int DECISIONS_KEPT = 8;

	/** The first shard's job stream (the jobs module's {@code JobShard}). */
	static final String STREAM = "fulcrum:{jobs}:stream";

	/** How many shards of the job queue the api-services have used, if more than one. */
	static final String SHARDS = "fulcrum:{jobs}:shards";

	static final String GROUP = "workers";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final Path home;

	private final PlanFile.Plan plan;

	private final PrintStream log;

	/** Every instance of the stack now, by name: planned, restarted or added. */
	private final Map<String, Instance> instances = new LinkedHashMap<>();

	private final Map<String, Running> running = new LinkedHashMap<>();

	/** Started by the autoscaler, not ready yet. */
	private final Set<String> starting = ConcurrentHashMap.newKeySet();

	/** Being drained and stopped by the autoscaler. */
	private final Set<String> stopping = ConcurrentHashMap.newKeySet();

	/** The api-service instances in the gateway's file, and those of them draining. */
	private final Set<String> inRotation = new HashSet<>();

	private final Set<String> draining = new HashSet<>();

	private final Map<String, Restart> restarts = new ConcurrentHashMap<>();

	private final Map<String, HorizontalAutoscaler> scalers = new LinkedHashMap<>();

	private final Map<String, CpuSample> cpu = new ConcurrentHashMap<>();

	private final Map<String, String> measured = new ConcurrentHashMap<>();

	private final Map<String, Double> metrics = new ConcurrentHashMap<>();

	private final Deque<String> decisions = new ArrayDeque<>();

	private final ExecutorService actions = Executors.newVirtualThreadPerTaskExecutor();

	private Instant nextSync;

	/** Set by the shutdown hook under the lock: nothing is started after it. */
	private boolean stopped;

	Supervisor(Path home, PlanFile.Plan plan, PrintStream log) {
		this.home = home;
		this.plan = plan;
		this.log = log;
		plan.instances().forEach((instance) -> this.instances.put(instance.name(), instance));
		if (plan.autoscaling().enabled()) {
			Autoscaling.SERVICES.forEach((service) -> this.scalers.put(service,
					new HorizontalAutoscaler(plan.autoscaling().policy(service))));
		}
	}

	static void main(String[] args) {
		Path home = Path.of(args[0]);
		Supervisor supervisor = new Supervisor(home, PlanFile.read(home), System.out);
		Runtime.getRuntime().addShutdownHook(new Thread(supervisor::shutDown, "supervisor-stop"));
		supervisor.run();
	}

	void run() {
		awaitOwnLine();
		this.log.printf("%s supervising %d processes from %s; autoscaling %s%n", Instant.now(), this.running.size() - 1,
				this.home, describeAutoscaling());
		this.nextSync = Instant.now().plus(this.plan.autoscaling().period());
		writeStatus();
		while (!Thread.currentThread().isInterrupted()) {
			try {
				tick(Instant.now());
			}
			catch (RuntimeException ex) {
				say("tick failed: " + ex);
			}
			try {
				Thread.sleep(TICK);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * {@code up} writes the supervisor's own line into the table after starting it: wait
	 * for it, so that no write of ours can drop it.
	 */
	void awaitOwnLine() {
		long pid = ProcessHandle.current().pid();
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			List<Running> table = StackState.read(this.home);
			if (table.stream().anyMatch((r) -> r.service().equals(SERVICE) && r.pid() == pid)) {
				synchronized (this) {
					table.forEach((r) -> this.running.put(r.name(), r));
					table.stream()
						.filter((r) -> r.service().equals(Autoscaling.API))
						.forEach((r) -> this.inRotation.add(r.name()));
				}
				return;
			}
			sleep(Duration.ofMillis(100));
		}
		throw LauncherException.failure("not in " + StackState.FILE + " after 30s; giving up");
	}

	void tick(Instant now) {
		heartbeat();
		for (Running process : snapshot()) {
			check(process, now);
		}
		if (!this.scalers.isEmpty() && !now.isBefore(this.nextSync)) {
			this.nextSync = now.plus(this.plan.autoscaling().period());
			scale(now);
		}
	}

	/**
	 * Restarts one process if it is gone and its back-off has passed. Under the lock, so
	 * that an instance the autoscaler is stopping, or has just forgotten, is never
	 * started again.
	 */
	private synchronized void check(Running process, Instant now) {
		if (this.stopped || process.service().equals(SERVICE) || this.starting.contains(process.name())
				|| this.stopping.contains(process.name()) || this.running.get(process.name()) != process) {
			return;
		}
		Restart restart = this.restarts.get(process.name());
		if (process.process().isPresent()) {
			if (restart != null && restart.due == null && now.isAfter(restart.startedAt.plus(STABLE))) {
				this.restarts.remove(process.name());
			}
			return;
		}
		if (restart == null) {
			restart = new Restart();
			this.restarts.put(process.name(), restart);
		}
		if (restart.due == null) {
			Duration backOff = backOff(restart.count);
			restart.due = now.plus(backOff);
			say(process.name() + " (pid " + process.pid() + ") is gone; restarting it in " + backOff.toSeconds() + "s"
					+ ((restart.count > 0) ? " (restart " + (restart.count + 1) + ")" : ""));
		}
		if (!now.isBefore(restart.due)) {
			restart(process, restart, now);
		}
	}

	static Duration backOff(int restarts) {
		return (restarts >= 6) ? MAX_BACK_OFF : Duration.ofSeconds(1L << restarts);
	}

	/** Called under the lock by {@link #check}. */
	private void restart(Running gone, Restart restart, Instant now) {
		Instance instance = this.instances.get(gone.name());
		restart.count++;
		restart.startedAt = now;
		restart.due = null;
		try {
			Process process = Stack.spawn(this.home, instance, true);
			this.running.put(instance.name(), Running.of(instance, process.toHandle()));
			writeTable();
			say("restarted " + instance.name() + " as pid " + process.pid() + "; its log: "
					+ this.home.relativize(instance.log()));
		}
		catch (RuntimeException ex) {
			// Counted as a restart: the next attempt waits its back-off.
			say("could not restart " + instance.name() + ": " + ex.getMessage());
		}
	}

	private void scale(Instant now) {
		for (Map.Entry<String, HorizontalAutoscaler> entry : this.scalers.entrySet()) {
			String service = entry.getKey();
			List<Running> members = members(service);
			OptionalDouble metric = metric(service, members);
			if (metric.isEmpty()) {
				continue;
			}
			HorizontalAutoscaler.Decision decision = entry.getValue()
				.recommend(now, members.size(), metric.getAsDouble());
			this.measured.put(service, decision.reason());
			this.metrics.put(service, metric.getAsDouble());
			if (!decision.changes()) {
				continue;
			}
			entry.getValue().scaled(now, decision.current(), decision.desired());
			decided(service + " " + decision.current() + " -> " + decision.desired() + ": " + decision.reason());
			if (decision.desired() > decision.current()) {
				for (int i = decision.current(); i < decision.desired(); i++) {
					scaleOut(service);
				}
			}
			else {
				scaleIn(service, decision.current() - decision.desired());
			}
		}
		writeStatus();
	}

	/** The instances of a service that count as its replicas: not being stopped. */
	private synchronized List<Running> members(String service) {
		return this.running.values()
			.stream()
			.filter((r) -> r.service().equals(service) && !this.stopping.contains(r.name()))
			.toList();
	}

	private OptionalDouble metric(String service, List<Running> members) {
		return service.equals(Autoscaling.API) ? cpu(members) : lag();
	}

	/**
	 * The cores the api-service uses, as the HPA's replica calculator counts them. Each
	 * instance's CPU time is read with the clock first, then whether it is ready.
	 * <ul>
	 * <li>Ready, with a sample of the last period: the cores it used since.</li>
	 * <li>Ready, but no sample yet (new, or restarted): missing; counted as at the target
	 * when the others are below it (it must not push the count down) and as idle when
	 * they are above it (its JVM's start-up burst is not load).</li>
	 * <li>Not ready (starting, or failing its check): left out when scaling down, idle
	 * when scaling up.</li>
	 * </ul>
	 * Empty when no instance could be measured.
	 */
	private OptionalDouble cpu(List<Running> members) {
		Map<Running, CpuSample> samples = new LinkedHashMap<>();
		for (Running member : members) {
			if (!this.starting.contains(member.name())) {
				member.process()
					.flatMap((p) -> p.info().totalCpuDuration())
					.ifPresent((used) -> samples.put(member, new CpuSample(member.pid(), System.nanoTime(), used)));
			}
		}
		Map<Running, CompletableFuture<Boolean>> ready = new LinkedHashMap<>();
		samples.keySet()
			.forEach((member) -> ready.put(member, CompletableFuture.supplyAsync(() -> member.health().isHealthy())));
		double cores = 0;
		int measured = 0;
		int missing = 0;
		Map<String, CpuSample> next = new HashMap<>();
		for (Map.Entry<Running, CpuSample> entry : samples.entrySet()) {
			Running member = entry.getKey();
			CpuSample sample = entry.getValue();
			if (!ready.get(member).join()) {
				continue;
			}
			next.put(member.name(), sample);
			CpuSample previous = this.cpu.get(member.name());
			if (previous != null && previous.pid == sample.pid && sample.atNanos > previous.atNanos) {
				cores += Math.max(0, sample.used.minus(previous.used).toNanos())
						/ (double) (sample.atNanos - previous.atNanos);
				measured++;
			}
			else {
				missing++;
			}
		}
		this.cpu.clear();
		this.cpu.putAll(next);
		return Autoscaling.cpuTotal(cores, measured, missing, this.plan.autoscaling().cpuTarget());
	}

	/** Jobs in the stream not yet delivered to a worker, or empty if Redis cannot say. */
	private OptionalDouble lag() {
		if (this.plan.redis() == null || !"redis".equals(this.plan.redis().getScheme())) {
			return OptionalDouble.empty();
		}
		try {
			return OptionalDouble.of(queueLag(new RedisClient(this.plan.redis())));
		}
		catch (IOException ex) {
			say("cannot read the queue's lag from Redis (" + ex.getMessage() + "); worker-service left as it is");
			return OptionalDouble.empty();
		}
	}

	/**
	 * The {@code lag} of the workers' consumer group (Redis 7) over every shard of the
	 * queue: entries of the job streams not yet delivered to any worker. Jobs a worker
	 * holds are not lag: they have a worker.
	 * @param redis the stack's Redis, as a user that may run {@code XINFO}
	 * @return the lag; 0 before the first job created the stream
	 * @throws IOException when Redis cannot be asked
	 */
	static long queueLag(RedisClient redis) throws IOException {
		Object recorded = redis.call("GET", SHARDS);
		int shards = (recorded instanceof String count) ? Integer.parseInt(count) : 1;
		long lag = 0;
		for (int shard = 0; shard < shards; shard++) {
			lag += queueLag(redis, (shard == 0) ? STREAM : "fulcrum:{jobs-" + shard + "}:stream");
		}
		return lag;
	}

	private static long queueLag(RedisClient redis, String stream) throws IOException {
		Object groups;
		try {
			groups = redis.call("XINFO", "GROUPS", stream);
		}
		catch (IOException ex) {
			if (String.valueOf(ex.getMessage()).contains("no such key")) {
				return 0;
			}
			throw ex;
		}
		for (Object group : (List<?>) groups) {
			Map<String, Object> fields = pairs((List<?>) group);
			if (GROUP.equals(fields.get("name"))) {
				// nil when Redis cannot compute it (entries trimmed or deleted before the
				// group read them): no measurement, rather than an empty queue.
				if (fields.get("lag") instanceof Long lag) {
					return lag;
				}
				throw new IOException("Redis cannot tell the lag of group " + GROUP + " now");
			}
		}
		return 0;
	}

	private static Map<String, Object> pairs(List<?> flat) {
		Map<String, Object> map = new HashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			map.put(String.valueOf(flat.get(i)), flat.get(i + 1));
		}
		return map;
	}

	private void scaleOut(String service) {
		Instance instance;
		long started = System.nanoTime();
		synchronized (this) {
			if (this.stopped) {
				return;
			}
			instance = newReplica(service);
			this.instances.put(instance.name(), instance);
			this.starting.add(instance.name());
			// Appended to: an earlier replica of the same name left its log there.
			Process process = Stack.spawn(this.home, instance, true);
			this.running.put(instance.name(), Running.of(instance, process.toHandle()));
			writeTable();
			say("started " + instance.name() + " (pid " + process.pid() + ", port " + instance.port() + ")");
		}
		this.actions.submit(() -> {
			if (awaitReady(instance)) {
				synchronized (this) {
					if (service.equals(Autoscaling.API)) {
						this.inRotation.add(instance.name());
						writeUpstreams();
					}
					this.starting.remove(instance.name());
				}
				say(instance.name() + " is ready after " + seconds(started)
						+ (service.equals(Autoscaling.API)
								? "; the gateway takes it into rotation, its share growing over the slow-start window"
								: "; it takes jobs from the queue"));
			}
			else if (!this.stopping.contains(instance.name())) {
				say(instance.name() + " did not become ready within 180s; stopping it. Its log: "
						+ this.home.relativize(instance.log()));
				stopAndForget(instance.name());
			}
		});
	}

	private boolean awaitReady(Instance instance) {
		long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
		while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
			Running process;
			synchronized (this) {
				process = this.running.get(instance.name());
			}
			if (process == null || process.process().isEmpty()) {
				return false;
			}
			if (instance.health().isHealthy()) {
				return true;
			}
			sleep(Duration.ofMillis(250));
		}
		return false;
	}

	/**
	 * Stops instances of a service ({@link #victims} says which), draining ready ones.
	 */
	private void scaleIn(String service, int count) {
		List<Running> victims;
		synchronized (this) {
			victims = victims(members(service), this.starting, count);
			victims.forEach((r) -> this.stopping.add(r.name()));
			if (service.equals(Autoscaling.API)) {
				victims.stream()
					.filter((r) -> this.inRotation.contains(r.name()))
					.forEach((r) -> this.draining.add(r.name()));
				writeUpstreams();
			}
		}
		for (Running victim : victims) {
			boolean inRotation;
			synchronized (this) {
				inRotation = this.draining.contains(victim.name());
			}
			this.actions.submit(() -> {
				long started = System.nanoTime();
				String drained = " (not ready yet)";
				if (inRotation) {
					drained = awaitDrained(victim)
							? " drained (none of its requests in flight at the gateway after " + seconds(started)
									+ ") and"
							: " not seen drained by the gateway within " + DRAIN_TIMEOUT.toSeconds() + "s;";
				}
				stopAndForget(victim.name());
				say(victim.name() + drained + " stopped");
			});
		}
	}

	/**
	 * The instances to stop, as a Deployment picks pods to delete: those not ready yet
	 * first (they serve nothing), then the newest; never the last ready one.
	 * @param members the service's instances
	 * @param starting those not ready yet
	 * @param count how many to stop
	 * @return the victims, at most {@code count}
	 */
	static List<Running> victims(List<Running> members, Set<String> starting, int count) {
		long ready = members.stream().filter((r) -> !starting.contains(r.name())).count();
		List<Running> chosen = new ArrayList<>();
		long readyChosen = 0;
		List<Running> order = members.stream()
			.sorted(Comparator.comparing((Running r) -> !starting.contains(r.name()))
				.thenComparing(Comparator.comparingInt((Running r) -> number(r.name())).reversed()))
			.toList();
		for (Running candidate : order) {
			boolean isReady = !starting.contains(candidate.name());
			if (chosen.size() < count && (!isReady || ready - readyChosen > 1)) {
				chosen.add(candidate);
				readyChosen += isReady ? 1 : 0;
			}
		}
		return List.copyOf(chosen);
	}

	/**
	 * Waits until the gateway has read the draining mark and has no request of this
	 * instance in flight.
	 */
	private boolean awaitDrained(Running victim) {
		String id = "127.0.0.1:" + victim.port();
		Pattern object = Pattern.compile("\\{\"instance\":\"" + Pattern.quote(id) + "\"[^{}]*}");
		long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
			try {
				HttpRequest request = HttpRequest
					.newBuilder(URI.create(this.plan.gatewayManagement() + "/actuator/balancing"))
					.timeout(Duration.ofSeconds(2))
					.build();
				String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
				Matcher matcher = object.matcher(body);
				boolean seen = false;
				boolean drained = true;
				while (matcher.find()) {
					seen = true;
					String instance = matcher.group();
					drained &= instance.contains("\"draining\":true") && instance.contains("\"inFlight\":0,");
				}
				if (!seen || drained) {
					return true;
				}
			}
			catch (IOException ex) {
				// the gateway is down or restarting: ask again
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
			sleep(Duration.ofMillis(200));
		}
		return false;
	}

	private void stopAndForget(String name) {
		Running process;
		synchronized (this) {
			process = this.running.get(name);
		}
		if (process != null) {
			Stack.stop(List.of(process));
		}
		synchronized (this) {
			this.running.remove(name);
			this.instances.remove(name);
			this.starting.remove(name);
			this.stopping.remove(name);
			this.restarts.remove(name);
			this.cpu.remove(name);
			boolean inFile = this.inRotation.remove(name);
			this.draining.remove(name);
			if (inFile) {
				writeUpstreams();
			}
			writeTable();
		}
	}

	/**
	 * One more replica: the next number after the highest, the first ports from the
	 * service's own up that no instance uses and nothing else listens on.
	 */
	private Instance newReplica(String service) {
		Instance template = this.plan.instances()
			.stream()
			.filter((instance) -> instance.service().equals(service))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no " + service + " in the plan"));
		int number = this.instances.keySet()
			.stream()
			.filter((name) -> name.startsWith(service + "-"))
			.mapToInt(Supervisor::number)
			.max()
			.orElse(0) + 1;
		Set<Integer> used = new HashSet<>();
		this.instances.values().forEach((instance) -> {
			used.add(instance.port());
			Optional.ofNullable(instance.environment().get("MANAGEMENT_PORT"))
				.map(Integer::valueOf)
				.ifPresent(used::add);
		});
		boolean management = template.environment().containsKey("MANAGEMENT_PORT");
		int offset = management ? Integer.parseInt(template.environment().get("MANAGEMENT_PORT")) - template.port() : 0;
		int port = template.port();
		while (used.contains(port) || !Stack.isFree(port)
				|| (management && (used.contains(port + offset) || !Stack.isFree(port + offset)))) {
			port++;
		}
		String name = service + "-" + number;
		return StackPlan.replica(template, name, port, management ? port + offset : 0,
				template.log().resolveSibling(name + ".log"));
	}

	private static int number(String name) {
		try {
			return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private synchronized List<Running> snapshot() {
		return List.copyOf(this.running.values());
	}

	/** Writes the table in the plan's order of services, replicas by number. */
	private synchronized void writeTable() {
		List<String> order = new ArrayList<>();
		this.plan.instances().forEach((instance) -> {
			if (!order.contains(instance.service())) {
				order.add(instance.service());
			}
		});
		order.add(SERVICE);
		List<Running> table = this.running.values()
			.stream()
			.sorted(Comparator.comparingInt((Running r) -> order.indexOf(r.service()))
				.thenComparingInt((r) -> number(r.name())))
			.toList();
		StackState.write(this.home, table);
	}

	private synchronized void writeUpstreams() {
		List<String> urls = new ArrayList<>();
		Set<String> drainingUrls = new HashSet<>();
		this.running.values()
			.stream()
			.filter((r) -> this.inRotation.contains(r.name()))
			.sorted(Comparator.comparingInt((Running r) -> number(r.name())))
			.forEach((r) -> {
				String url = "http://127.0.0.1:" + r.port();
				urls.add(url);
				if (this.draining.contains(r.name())) {
					drainingUrls.add(url);
				}
			});
		UpstreamFile.write(UpstreamFile.of(this.home, Autoscaling.API), urls, drainingUrls);
	}

	private void writeStatus() {
		Properties status = new Properties();
		status.setProperty("autoscale", describeAutoscaling());
		for (String service : Autoscaling.SERVICES) {
			status.setProperty(service + ".replicas", String.valueOf(members(service).size()));
			Optional.ofNullable(this.measured.get(service))
				.ifPresent((reason) -> status.setProperty(service + ".measured", reason));
			// The metric's total over the replicas, for tools that chart it
			// (bench/spike.sh).
			Optional.ofNullable(this.metrics.get(service))
				.ifPresent((value) -> status.setProperty(service + ".metric", String.valueOf(value)));
		}
		synchronized (this.decisions) {
			int i = 0;
			for (String decision : this.decisions) {
				status.setProperty("decision." + i++, decision);
			}
		}
		StringWriter text = new StringWriter();
		try {
			status.store(text, null);
			Path temporary = this.home.resolve(STATUS + ".tmp");
			Files.writeString(temporary, text.toString());
			Files.move(temporary, this.home.resolve(STATUS), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
					java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private String describeAutoscaling() {
		Autoscaling autoscaling = this.plan.autoscaling();
		if (!autoscaling.enabled()) {
			return "off (./fulcrum up --autoscale turns it on)";
		}
		return String.format(Locale.ROOT,
				"on, every %ds: api-service 1-%d on cpu (target %.2f cores each), worker-service 1-%d on queue lag"
						+ " (target %.0f jobs each), scale-down window %ds",
				autoscaling.period().toSeconds(), autoscaling.maxApi(), autoscaling.cpuTarget(),
				autoscaling.maxWorkers(), autoscaling.lagTarget(), autoscaling.downWindow().toSeconds());
	}

	private void decided(String decision) {
		String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + decision;
		synchronized (this.decisions) {
			this.decisions.addFirst(line);
			while (this.decisions.size() > DECISIONS_KEPT) {
				this.decisions.removeLast();
			}
		}
		this.log.println(line);
	}

	private void say(String message) {
		this.log.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
	}

	private void heartbeat() {
		Path file = this.home.resolve(HEARTBEAT);
		try {
			if (!Files.exists(file)) {
				Files.createFile(file);
			}
			Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			say("cannot touch " + file + ": " + ex.getMessage());
		}
	}

	private void shutDown() {
		synchronized (this) {
			this.stopped = true;
		}
		this.actions.shutdownNow();
		say("stopping; what it started is in " + StackState.FILE + " for ./fulcrum down");
	}

	private static String seconds(long startedNanos) {
		return String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - startedNanos) / 1e9);
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Restarts of one instance: how many, when the last, when the next is due. */
	private static final class Restart {

		int count;

		Instant startedAt = Instant.EPOCH;

		Instant due;

	}

	private record CpuSample(long pid, long atNanos, Duration used) {
	}

}
